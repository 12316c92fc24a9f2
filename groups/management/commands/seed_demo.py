from django.core.management.base import BaseCommand

from events.demo import seed_events
from groups import demo


class Command(BaseCommand):
    help = "Loads the demo group (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        group = demo.seed_group()
        seed_events(group)
        self.stdout.write(self.style.SUCCESS(f"Demo group ready: {group.name}"))
        self.stdout.write(
            f"Demo organizer login: {demo.DEMO_ORGANIZER_EMAIL} / {demo.DEMO_ORGANIZER_PASSWORD}"
        )
