"""What events bring to the admin home (core/adminhome.py): the next events, with who is
going, and the first step of a new group: its first event."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.adminhome import Step

from .models import Event, EventStatus

NEXT_EVENTS = 3


def next_events(request) -> list[Event]:
    """The next published events, soonest first, with going, seats and waitlist counts."""
    if request.group is None or not request.user.has_perm("events.view_event"):
        return []
    return list(
        Event.objects.filter(group=request.group, status=EventStatus.PUBLISHED)
        .upcoming()
        .with_seats()[:NEXT_EVENTS]
    )


def first_steps(request) -> Iterable[Step]:
    if request.group is None or not request.user.has_perm("events.add_event"):
        return
    yield Step(
        text=_("Create the first event"),
        url=reverse("admin:events_event_add"),
        done=Event.objects.filter(group=request.group).exists(),
    )
