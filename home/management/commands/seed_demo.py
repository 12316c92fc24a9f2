"""Loads the demo site: here, above the apps, because it seeds all of them (home/demo.py)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from conversation.demo import seed_conversation
from decisions.demo import seed_decisions
from events.demo import seed_events
from groups import demo
from home.demo import seed_pictures, seed_profiles
from members.twofactor import authenticator_app_set


class Command(BaseCommand):
    help = "Loads the demo group (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--in-production",
            action="store_true",
            help="Load it even with DEBUG off. The demo organizer's password is public.",
        )

    def handle(self, *args, in_production=False, **options):
        if not settings.DEBUG and not in_production:
            raise CommandError(
                "seed_demo creates a staff account whose password is published in README.md, "
                "so it refuses to run in production (DEBUG is off). To load the demo anyway, "
                "for a demonstration site, run it with --in-production."
            )
        group = demo.seed_group()
        seed_events(group)
        seed_decisions(group)  # before the pictures: the draft event it makes gets a cover
        seed_pictures(group)
        seed_conversation(group)
        seed_profiles(group)  # after the conversation, which brings members who do not organize
        # The admin opens only with a second factor: the demo organizer has an authenticator
        # app whose key is printed here (README "Two-factor sign-in").
        organizer = get_user_model().objects.get(email=demo.DEMO_ORGANIZER_EMAIL)
        codes = authenticator_app_set(user=organizer, secret=demo.DEMO_ORGANIZER_TOTP_KEY)
        self.stdout.write(self.style.SUCCESS(f"Demo group ready: {group.name}"))
        self.stdout.write(
            f"Demo organizer login: {demo.DEMO_ORGANIZER_EMAIL} / {demo.DEMO_ORGANIZER_PASSWORD}\n"
            f"  then the code of an authenticator app given the key "
            f"{demo.DEMO_ORGANIZER_TOTP_KEY},\n"
            f"  or one of these recovery codes (each works once): {' '.join(codes[:3])}"
        )
