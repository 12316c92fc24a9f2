"""Feed bodies are built and compressed once per change; a conditional request reads no body.

Freshness never depends on the cache: every request reads the current change generation
from the database in one cheap query (two counters bumped after every change that our
services, the admin and the importer make, plus the latest `updated_at` of events, venues,
speakers and the group, which also catches a raw save from a shell). Bodies are cached
under that generation, so a change made by another worker, another server or a management
command is in every feed at its next request, with Redis or with per-process memory.

The ETag comes from that generation, not from the body, so a conditional request is
answered from the one query whether the cache is full or empty, and a body is read or built
only to be sent. That is correct because a body depends on nothing else:
- the data, which the generation row covers (for a personal feed also the member's RSVPs
  and the personal counter), and DTSTAMP is when an event last changed, never "now";
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

Last-Modified is also read from the generation row: the newest updated_at in it (of any
event, venue, speaker or the group: coarser than the feed, never too old), or the moment the
window last lost an event if that is later. A change that leaves no timestamp behind (a
deletion, which only moves a counter) moves the ETag but not Last-Modified; a client that
has both sends If-None-Match, which then decides alone (RFC 9110 13.1.3).

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
from django.db.models import Subquery
from django.utils import timezone, translation

from core import compression
from core.db import CompiledQuery
from core.generations import generation_bump
from core.models import ChangeGeneration
from groups.models import Group

from .models import RSVP, Event, Speaker, Venue

GENERATION_KEY = "ical"  # events, venues, speakers, the group: every feed
PERSONAL_KEY = "ical:personal"  # RSVPs and tokens: personal feeds only
# The group and personal feeds: upcoming events and those that started in the last twelve
# months (the full history has its own address).
WINDOW = timedelta(days=365)
TIMEOUT = 3600  # a bound on memory only: keys change with the data and the window
IDENTITY = "identity"
# What writes a body, besides the data: a change to any of them changes every ETag.
SOURCES = ("calendar_cache.py", "calendar_views.py", "ical/format.py", "ical/feeds.py")


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


def _generation_query(*, member_id: int | None, window_since: datetime | None):
    """What every process agrees a feed depends on, as one query.

    member_id: for a personal feed, which also changes with that member's RSVPs (every RSVP
    change saves its updated_at) and with the personal counter (tokens, deletions).
    window_since: for a windowed feed, the start of its window (see the module docstring).
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
    if window_since is not None:
        # Read backwards from the window's start on the starts_at index.
        before = Event.objects.published().filter(starts_at__lt=window_since)
        columns["window_left"] = Subquery(before.order_by("-starts_at").values("starts_at")[:1])
    # Feeds exist only once the site has its group: the subqueries ride on its row.
    return (
        Group.objects.rewrite(False).order_by().annotate(**columns).values_list(*columns)[:1],
        list(columns),
    )


# The group's feeds run the same query shape on every request: compiled once per process.
_WINDOWED = CompiledQuery(
    lambda now: _generation_query(member_id=None, window_since=now - WINDOW)[0]
)
_WHOLE = CompiledQuery(lambda now: _generation_query(member_id=None, window_since=None)[0])


@cache
def _column_names(*, windowed: bool) -> list[str]:
    return _generation_query(member_id=None, window_since=timezone.now() if windowed else None)[1]


def _generation_row(*, member_id: int | None, window_since: datetime | None) -> dict:
    if member_id is None:
        compiled = _WHOLE if window_since is None else _WINDOWED
        row = compiled.fetchone((window_since or timezone.now()) + WINDOW)
        names = _column_names(windowed=window_since is not None)
    else:
        query, names = _generation_query(member_id=member_id, window_since=window_since)
        row = next(iter(query), None)
    return dict(zip(names, row or (), strict=False))


def current_generation(*, member_id: int | None = None) -> str:
    """The generation of the feeds (for a member's personal feed with member_id), as a hash."""
    row = _generation_row(member_id=member_id, window_since=None)
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]


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
    row = _generation_row(member_id=member_id, window_since=window_since)
    moments = [value for name, value in row.items() if name.startswith("gen_")]
    moments = [moment for moment in moments if isinstance(moment, datetime)]
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
