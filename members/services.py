"""Writes about a member's own account."""

from django.db import transaction

from events.calendar_cache import calendar_changed

from .models import User, new_calendar_token


def member_rotate_calendar_token(*, member: User) -> str:
    """Gives the member a new secret feed address; the old one stops working at once."""
    with transaction.atomic():
        member.calendar_token = new_calendar_token()
        member.save(update_fields=["calendar_token"])
        calendar_changed()
    return member.calendar_token
