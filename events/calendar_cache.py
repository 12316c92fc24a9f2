"""Feed bodies are built once per change and served from the cache until something changes.

Freshness never depends on the cache: every request reads the current change generation
from the database in one cheap query (two counters bumped after every change that our
services, the admin and the importer make, plus the latest `updated_at` of events, venues,
speakers and the group, which also catches a raw save from a shell). Bodies are cached
under that generation, so a change made by another worker, another server or a management
command is in every feed at its next request, with Redis or with per-process memory.
Bodies are deterministic (DTSTAMP is when the event last changed), so the ETag is stable
between changes even when the cache is emptied.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import caches
from django.db.models import Subquery

from groups.generations import generation_bump
from groups.models import ChangeGeneration, Group

from .models import RSVP, Event, Speaker, Venue

GENERATION_KEY = "ical"  # events, venues, speakers, the group: every feed
PERSONAL_KEY = "ical:personal"  # RSVPs and tokens: personal feeds only
TIMEOUT = 3600  # an upper bound: events also leave the feed's window as time passes


@dataclass(frozen=True)
class CachedFeed:
    body: bytes
    etag: str
    last_modified: datetime | None


def calendar_changed(*, personal_only: bool = False) -> None:
    """Marks cached feeds stale once the current transaction commits.

    personal_only: an RSVP or a token changed, which only personal feeds show; the group's
    feed keeps its cache (and its ETag).
    """
    generation_bump(PERSONAL_KEY if personal_only else GENERATION_KEY)


def _latest(queryset) -> Subquery:
    """The newest updated_at, read from the top of an index (MAX without the aggregate)."""
    return Subquery(queryset.order_by("-updated_at").values("updated_at")[:1])


def _counter(key: str) -> Subquery:
    return Subquery(ChangeGeneration.objects.filter(key=key).values("value"))


def current_generation(*, member_id: int | None = None) -> str:
    """The generation every process agrees on, read in one query.

    member_id: for a personal feed, which also changes with that member's RSVPs (every RSVP
    change saves its updated_at) and with the personal counter (tokens, deletions).
    """
    columns = {
        "gen_counter": _counter(GENERATION_KEY),
        "gen_events": _latest(Event.objects.all()),
        "gen_venues": _latest(Venue.objects.all()),
        "gen_speakers": _latest(Speaker.objects.all()),
        "gen_groups": _latest(Group.objects.all()),
    }
    if member_id is not None:
        columns["gen_personal"] = _counter(PERSONAL_KEY)
        columns["gen_rsvps"] = _latest(RSVP.objects.filter(member_id=member_id))
    # Feeds exist only once the site has its group: the subqueries ride on its row.
    values = tuple(Group.objects.order_by().annotate(**columns).values_list(*columns)[:1])
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def cached_feed(
    key: str,
    build: Callable[[], tuple[bytes, datetime | None]],
    *,
    member_id: int | None = None,
) -> CachedFeed:
    bodies = caches["bodies"]
    cache_key = f"ical:{current_generation(member_id=member_id)}:{key}"
    feed = bodies.get(cache_key)
    if feed is None:
        body, last_modified = build()
        feed = CachedFeed(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified)
        bodies.set(cache_key, feed, timeout=TIMEOUT)
    return feed
