"""For an operator whose organizer lost every second factor (README "Two-factor sign-in")."""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.twofactor import has_second_factor


class Command(BaseCommand):
    help = (
        "Removes every second factor of the account with EMAIL (authenticator app, passkeys, "
        "recovery codes). The person then logs in with their password alone, and the admin "
        "waits until they set up a new factor. Check who is asking before you run it."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {email!r}.")
        with transaction.atomic():
            removed = list(
                Authenticator.objects.filter(user=user)
                .order_by("pk")
                .values_list("type", flat=True)
            )
            Authenticator.objects.filter(user=user).delete()
        if not removed:
            self.stdout.write(f"{user.email} had no second factor: nothing to remove.")
            return
        assert not has_second_factor(user)
        self.stdout.write(
            self.style.SUCCESS(f"Removed from {user.email}: {', '.join(removed)}.")
            + "\nThey log in with their password alone now"
            + (
                ", and set up a new factor before the admin opens (it sends them there)."
                if user.is_staff
                else "; they may set up a new factor on /me/."
            )
            + "\n"
        )
