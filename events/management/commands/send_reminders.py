from django.core.management.base import BaseCommand

from events.services import reminders_send


class Command(BaseCommand):
    help = (
        "Queues the reminder emails that are due (run it every few minutes). "
        "Safe to run twice at once: each reminder goes out exactly once."
    )

    def handle(self, *args, **options):
        total = 0
        while True:
            count = reminders_send()
            total += count
            if count == 0:
                break
        self.stdout.write(f"{total} reminders queued")
