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

GENERATION_KEY = "ical:generation"
TIMEOUT = 3600  # an upper bound: events also move from upcoming to past as time passes


@dataclass(frozen=True)
class CachedFeed:
    body: bytes
    etag: str
    last_modified: datetime | None


def _generation() -> str:
    return cache.get_or_set(GENERATION_KEY, lambda: secrets.token_hex(8), timeout=None)


def _bump() -> None:
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


def calendar_changed() -> None:
    """Marks every cached feed stale, now and again once the transaction commits.

    The second bump matters: a feed built between the two saw the data before the commit.
    """
    _bump()
    transaction.on_commit(_bump)


def cached_feed(key: str, build: Callable[[], tuple[bytes, datetime | None]]) -> CachedFeed:
    cache_key = f"ical:{_generation()}:{key}"
    feed = cache.get(cache_key)
    if feed is None:
        body, last_modified = build()
        feed = CachedFeed(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified)
        cache.set(cache_key, feed, timeout=TIMEOUT)
    return feed
