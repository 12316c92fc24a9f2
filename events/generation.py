"""What the events app tells the page cache about the clock (core.hooks.expiries)."""

from datetime import datetime

from django.db import connection

from .models import Event

# The columns whose next value after now is a moment pages change by themselves.
_MOMENTS = {
    "start": "starts_at",
    "end": "ends_at",
    "opening": "rsvp_opens_at",
    "closing": "rsvp_closes_at",
}


def next_moments(now: datetime) -> dict[str, tuple[str, list]]:
    """The next moment an event changes state by itself: it starts, ends, opens or closes
    RSVPs. Pages say "upcoming", "happening now" and "RSVPs open", so a cached page is true
    until then. Each is the first entry after now of its own index (named in Event.Meta), so
    the cost does not follow the number of events. Written as SQL (groups.generations says
    why): the group middleware runs it on every request."""
    quote = connection.ops.quote_name
    table = quote(Event._meta.db_table)
    after = connection.ops.adapt_datetimefield_value(now)
    moments = {}
    for name, field in _MOMENTS.items():
        column = quote(Event._meta.get_field(field).column)
        sql = f"SELECT {column} FROM {table} WHERE {column} > %s ORDER BY {column} LIMIT 1"  # noqa: S608 - the model's own names
        moments[name] = (sql, [after])
    return moments
