"""What the events app tells the page cache about the clock (core.hooks.expiries)."""

from datetime import datetime

from django.db.models import Subquery

from .models import Event


def _next(queryset, field: str) -> Subquery:
    return Subquery(queryset.order_by(field).values(field)[:1])


def next_moments(now: datetime) -> dict:
    """The next moment an event changes state by itself: it starts, ends, opens or closes
    RSVPs. Pages say "upcoming", "happening now" and "RSVPs open", so a cached page is true
    until then. Each is the first entry after now of its own index (named in Event.Meta), so
    the cost does not follow the number of events."""
    return {
        "start": _next(Event.objects.filter(starts_at__gt=now), "starts_at"),
        "end": _next(Event.objects.filter(ends_at__gt=now), "ends_at"),
        "opening": _next(Event.objects.filter(rsvp_opens_at__gt=now), "rsvp_opens_at"),
        "closing": _next(Event.objects.filter(rsvp_closes_at__gt=now), "rsvp_closes_at"),
    }
