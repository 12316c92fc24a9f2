"""The emails about a member's own account: the welcome, and allauth's (the sign-up code, a
password reset, "account already exists"...), which allauth renders and the outbox sends.
MembersConfig.ready registers them in core's registry."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.emails.kinds import EmailKind
from events.seo import absolute
from groups.models import Group


class MemberEmail(models.TextChoices):
    WELCOME = "welcome", _("Welcome to the group")
    ACCOUNT = "account", _("About the account (codes, password resets)")


def welcome_context(params: dict, user) -> dict | None:
    group = Group.objects.filter(pk=params["group"]).first()
    if group is None:
        return None
    return {
        "group": group,
        "events_url": absolute(reverse("events:upcoming")),
        "account_url": absolute(reverse("members:me")),
    }


KINDS = [
    EmailKind(
        name=MemberEmail.WELCOME.value, label=MemberEmail.WELCOME.label, context=welcome_context
    ),
    # Rendered by allauth in the request (members.adapter.AccountAdapter.send_mail), queued
    # whole; its bodies (codes, reset links) are blanked once it is sent.
    EmailKind(name=MemberEmail.ACCOUNT.value, label=MemberEmail.ACCOUNT.label),
]
