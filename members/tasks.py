"""Emails about a member's own account, sent by django.tasks after the request commits."""

from django.tasks import task
from django.urls import reverse

from events.notifications import build_message
from events.seo import absolute
from groups.models import Group

from .models import User


@task()
def send_welcome(*, user_id: int, group_id: int) -> bool:
    """The welcome email a new member gets once their address is verified."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    group = Group.objects.filter(pk=group_id).first()
    if user is None or group is None:
        return False
    extra = {
        "group": group,
        "events_url": absolute(reverse("events:upcoming")),
        "account_url": absolute(reverse("members:me")),
    }
    build_message(kind="welcome", user=user, event=None, extra=extra).send()
    return True
