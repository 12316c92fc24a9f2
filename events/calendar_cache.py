"""Feed bodies are built and compressed once per change; a conditional request reads no body.

Freshness never depends on the cache: every request reads the feeds' change counters from
the database in one cheap query (core/generations.py: "ical" moves with every change to the
events app's tables and the group, "ical:personal" with RSVPs and members' accounts, by the
save and delete signals and by the update helpers, whoever writes). Bodies are cached under
those counters, so a change made by another worker, another server, a management command
or a shell is in every feed at its next request, with Redis or with per-process memory.

The ETag comes from that generation, not from the body, so a conditional request is
answered from the one query whether the cache is full or empty, and a body is read or built
only to be sent. That is correct because a body depends on nothing else:
- the data, which the counters cover (a personal feed also the personal counter), and
  DTSTAMP is when an event last changed, never "now";
- the window of the group and personal feeds ("not ended yet, or started in the last
  twelve months"). No event lasts longer than MAX_DURATION, far less than twelve months, so
  the window is "started at or after its start", and as time passes it only loses events:
  it has lost one exactly when the start of the newest published event before the window's
  start changes, so that start is in the row (and the ETag stays put while nothing leaves);
- which feed (address, member, token) and what writes it: this module, events/ical/ and
  events/calendar_views.py, the icalendar version, the tz database release, the site's
  address and the language (`_fingerprint()`). A deploy that changes any of them gives new
  ETags, and clients fetch the feed once more.
A body built from data newer than the generation it was keyed by (a change committed between
the two reads) is only ever newer, and the next request sees the new generation.

One weak ETag covers the three codings of a body. A strong ETag would have to differ between
identity, gzip and br (RFC 9110 8.8.3: they are different representation data); a weak one
may be shared by representations of the same content (8.8.1), and If-None-Match compares
weakly (13.1.2). So a client that got br and later asks with gzip only, or through a proxy
that decoded the body, still gets 304 (Django's GZipMiddleware weakens ETags for the same
reason). Responses say Vary: Accept-Encoding.

Last-Modified is also read from that row: when the feed's counters last moved (coarser than
the feed, never too old), or the moment the window last lost an event if that is later (and
never before the group's own last change).

The "bodies" cache holds, under a key made from the ETag:
    <key>:meta               the codings stored and their lengths (all a HEAD reads)
    <key>:identity, :gzip, :br   the body, compressed once, when it is built
"""

import hashlib
import importlib.metadata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import icalendar
from django.conf import settings
from django.core.cache import caches
from django.db.models import F, Subquery
from django.utils import translation

from core import compression
from core.generations import pending_changes
from core.models import ChangeGeneration
from groups.models import Group

from .models import Event

GENERATION_KEY = "ical"  # events, venues, speakers, the group: every feed
PERSONAL_KEY = "ical:personal"  # RSVPs and tokens: personal feeds only
# The group and personal feeds: upcoming events and those that started in the last twelve
# months (the full history has its own address).
WINDOW = timedelta(days=365)
TIMEOUT = 3600  # a bound on memory only: keys change with the data and the window
IDENTITY = "identity"
# What writes a body, besides the data: a change to any of them changes every ETag.
SOURCES = ("calendar_cache.py", "calendar_views.py", "ical/format.py", "ical/feeds.py")


def _counter(key: str) -> Subquery:
    return Subquery(ChangeGeneration.objects.filter(key=key).values_list("value"))


def _changed_at(key: str) -> Subquery:
    return Subquery(ChangeGeneration.objects.filter(key=key).values_list("changed_at"))


def _generation_row(*, personal: bool, window_since: datetime | None) -> dict:
    """What every process agrees a feed depends on, in one query: the feeds' counter (and
    for a personal feed the personal one), when they last moved, and for a windowed feed
    the start of the newest published event before its window (see the module docstring)."""
    keys = (GENERATION_KEY, PERSONAL_KEY) if personal else (GENERATION_KEY,)
    columns = {}
    for i, key in enumerate(keys):
        columns[f"counter_{i}"] = _counter(key)
        columns[f"changed_{i}"] = _changed_at(key)
    if window_since is not None:
        # Read backwards from the window's start on the starts_at index.
        before = Event.objects.published().filter(starts_at__lt=window_since)
        columns["window_left"] = Subquery(before.order_by("-starts_at").values("starts_at")[:1])
    # Feeds exist only once the site has its group: the subqueries ride on its row, and its
    # own last change is the oldest Last-Modified a feed can have.
    columns["changed_group"] = F("updated_at")
    row = Group.objects.order_by().annotate(**columns).values_list(*columns).first()
    return {**dict(zip(columns, row or (), strict=False)), "pending": pending_changes()}


def _zone_rules_release() -> str:
    """The tz database release zoneinfo reads: the system's first, else the tzdata package."""
    for folder in zoneinfo.TZPATH:
        index = Path(folder, "tzdata.zi")
        if index.is_file():
            with index.open() as lines:
                return lines.readline().strip()  # "# version 2025b"
    try:
        return importlib.metadata.version("tzdata")
    except importlib.metadata.PackageNotFoundError:
        return ""


@cache
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        source = Path(__file__).parent / name
        digest.update(source.read_bytes() if source.is_file() else name.encode())
    digest.update(f"{icalendar.__version__}|{_zone_rules_release()}".encode())
    return digest.hexdigest()


def _fingerprint() -> tuple:
    """Everything but the data that a body depends on (see the module docstring)."""
    return (
        _code_fingerprint(),
        settings.SITE_URL,
        settings.DEFAULT_FROM_EMAIL,
        translation.get_language(),
    )


@dataclass(frozen=True)
class FeedVersion:
    """A feed as it is now, known before any body is read or built."""

    etag: str  # weak: one for every coding
    last_modified: datetime | None
    key: str  # the prefix of its entries in the "bodies" cache


def feed_version(
    feed: str, *, member_id: int | None = None, window_since: datetime | None = None
) -> FeedVersion:
    """The ETag and Last-Modified of a feed, from one query and no cache.

    feed names the feed and whatever its body depends on besides the generation (a member's
    pk and token). window_since: the start of the window of the body build() will make.
    """
    row = _generation_row(personal=member_id is not None, window_since=window_since)
    moments = [value for name, value in row.items() if name.startswith("changed_") and value]
    if row.get("window_left") is not None:
        moments.append(row["window_left"] + WINDOW)  # when the window let that event go
    # The language too: the same feed in Spanish (?lang=es) is another body.
    parts = (feed, translation.get_language(), row, _fingerprint())
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return FeedVersion(f'W/"{digest}"', max(moments, default=None), f"ical:{digest}")


def _store(version: FeedVersion, body: bytes) -> dict[str, bytes]:
    """Compresses a body that has just been built and keeps it in every coding."""
    codings = {IDENTITY: body}
    for coding in compression.CODINGS:
        codings[coding] = compression.compress(body, coding, once=True)
    entries = {f"{version.key}:{coding}": data for coding, data in codings.items()}
    entries[f"{version.key}:meta"] = {coding: len(data) for coding, data in codings.items()}
    caches["bodies"].set_many(entries, timeout=TIMEOUT)
    return codings


def feed_body(version: FeedVersion, coding: str, build: Callable[[], bytes]) -> bytes:
    """The body in one coding: read from the cache, or built (and kept in every coding)."""
    body = caches["bodies"].get(f"{version.key}:{coding}")
    if body is None:
        body = _store(version, build())[coding]
    return body


def feed_length(version: FeedVersion, coding: str, build: Callable[[], bytes]) -> int:
    """The length of the body in one coding, for HEAD: reads only the small entry."""
    lengths = caches["bodies"].get(f"{version.key}:meta")
    if lengths is None or coding not in lengths:
        return len(_store(version, build())[coding])
    return lengths[coding]
