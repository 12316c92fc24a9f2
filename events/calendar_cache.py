"""Feed bodies are built once and served from the cache until something in them changes.

A generation number in the cache names the current bodies; any change to events, venues,
speakers or RSVPs moves it on (after commit), so the next request builds afresh. Bodies are
deterministic (DTSTAMP is when the event last changed), so the ETag is stable between changes
even when the cache is emptied.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "ical:generation"  # events, venues, speakers, the group: every feed
PERSONAL_KEY = "ical:generation:personal"  # RSVPs and tokens: personal feeds only
TIMEOUT = 3600  # an upper bound: events also move from upcoming to past as time passes


@dataclass(frozen=True)
class CachedFeed:
    body: bytes
    etag: str
    last_modified: datetime | None


def _generation(key: str) -> str:
    return cache.get_or_set(key, lambda: secrets.token_hex(8), timeout=None)


def calendar_changed(*, personal_only: bool = False) -> None:
    """Marks cached feeds stale, now and again once the transaction commits.

    personal_only: an RSVP or a token changed, which only personal feeds show; the group's
    feed keeps its cache (and its ETag). The second bump matters: a feed built between the
    two saw the data from before the commit.
    """
    key = PERSONAL_KEY if personal_only else GENERATION_KEY

    def bump():
        cache.set(key, secrets.token_hex(8), timeout=None)

    bump()
    transaction.on_commit(bump)


def cached_feed(
    key: str, build: Callable[[], tuple[bytes, datetime | None]], *, personal: bool = False
) -> CachedFeed:
    generation = _generation(GENERATION_KEY)
    if personal:
        generation += _generation(PERSONAL_KEY)
    cache_key = f"ical:{generation}:{key}"
    feed = cache.get(cache_key)
    if feed is None:
        body, last_modified = build()
        feed = CachedFeed(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified)
        cache.set(cache_key, feed, timeout=TIMEOUT)
    return feed
