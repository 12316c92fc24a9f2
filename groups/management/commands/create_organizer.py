"""The first organizer of a fresh installation, without SMTP: a verified login and a link."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from groups.models import Group, Membership, Role
from groups.services import membership_set_role


class Command(BaseCommand):
    help = (
        "Makes EMAIL an organizer of the group with a verified address, and prints a one-time "
        "link to choose a password (no email is sent). Creates the group with --group-name "
        "when the site has none yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Display name (default: from the email).")
        parser.add_argument("--group-name", default="", help="Creates the group if none exists.")

    def handle(self, *args, email, name, group_name, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        with transaction.atomic():
            group = Group.objects.current()
            if group is None:
                if not group_name:
                    raise CommandError(
                        "This site has no group yet: give its name with --group-name."
                    )
                group = Group.objects.create(
                    name=group_name, slug=slugify(group_name)[:120] or "group"
                )
            user, created = get_user_model().objects.get_or_create(
                email=email, defaults={"display_name": name or email.split("@")[0]}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            address, _created = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
            membership, _created = Membership.objects.get_or_create(group=group, user=user)
            membership_set_role(membership=membership, role=Role.ORGANIZER)
        user.refresh_from_db()
        # allauth's own reset token, on a page of ours: opening the link only shows the form
        # (a link scanner or a mail preview spends nothing); choosing the password spends it,
        # and so does a login, and PASSWORD_RESET_TIMEOUT.
        path = reverse(
            "organizer_link",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        self.stdout.write(
            self.style.SUCCESS(f"{email} is an organizer of {group.name}.")
            + f"\nChoose a password within {hours} hours (the link works once; it signs you "
            "in and opens the admin, which asks you to set up two-factor sign-in first):\n"
            + f"{settings.SITE_URL}{path}\n"
        )
