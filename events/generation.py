"""What the events app adds to the page generation (core/generations.py)."""

from datetime import datetime

from django.db.models import Subquery

from .models import Event


def _next(queryset, field: str) -> Subquery:
    return Subquery(queryset.order_by(field).values(field)[:1])


def page_columns(now: datetime) -> dict:
    """The newest event change (catches an update() that sets updated_at) and the next
    moment an event changes state by itself: it starts, ends, opens or closes RSVPs. Pages
    say "upcoming", "happening now" and "RSVPs open", so that moment is part of the data.
    Each is the first entry after now of its own index (named in Event.Meta), so the cost
    does not follow the number of events."""
    return {
        "events_changed": Subquery(Event.objects.order_by("-updated_at").values("updated_at")[:1]),
        "next_start": _next(Event.objects.filter(starts_at__gt=now), "starts_at"),
        "next_end": _next(Event.objects.filter(ends_at__gt=now), "ends_at"),
        "next_opening": _next(Event.objects.filter(rsvp_opens_at__gt=now), "rsvp_opens_at"),
        "next_closing": _next(Event.objects.filter(rsvp_closes_at__gt=now), "rsvp_closes_at"),
    }
