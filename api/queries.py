"""What the API reads: the visitor's view of events, series and speakers.

Every rule comes from events' querysets (published(), upcoming(), past()) and from what the
event page shows a visitor (events/views/pages.py, templates/events/detail.html): no drafts,
the street address only when it is not kept for attendees, never the online link, breakout
notes only once published, never who is going.
"""

from datetime import UTC, date, datetime, time

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.languages import languages
from events.models import (
    AgendaItem,
    Breakout,
    Event,
    EventSpeaker,
    Series,
    Speaker,
    SpeakerLink,
    by_slug,
)

# The columns a list row never needs (the description is the detail's).
HEAVY = ("online_url", "rsvp_question")
TRANSLATED_HEAVY = ("description", "description_html", "description_text")


def public_events() -> QuerySet:
    """Every event a visitor may open: published and cancelled ones (events' one rule)."""
    return Event.objects.published()


def event_list(
    *,
    when: str = "upcoming",
    series: str = "",
    starts_from: date | None = None,
    starts_to: date | None = None,
    language: str = "",
    zone=None,
    now: datetime | None = None,
) -> QuerySet:
    """The events of /api/events/, in a stable order: upcoming soonest first, past most
    recent first (both end with the primary key)."""
    now = now or timezone.now()
    events = public_events()
    events = events.past(now) if when == "past" else events.upcoming(now)
    if series:
        events = events.filter(series__in=by_slug(Series.objects.all(), series).values("pk"))
    if starts_from is not None:
        events = events.filter(starts_at__gte=_midnight(starts_from, zone))
    if starts_to is not None:
        # Inclusive: every event starting on that day.
        events = events.filter(starts_at__lt=_midnight(starts_to, zone, next_day=True))
    if language:
        column = f"title_{language}"
        events = events.exclude(Q(**{column: ""}) | Q(**{f"{column}__isnull": True}))
    return events


def event_page(events: QuerySet, *, offset: int, limit: int) -> list[Event]:
    """One page's rows with what a list item shows, in a fixed number of queries: the page's
    keys first (from the index), then the rows and their relations for those keys only."""
    keys = list(events.values_list("pk", flat=True)[offset : offset + limit])
    rows = (
        Event.objects.filter(pk__in=keys)
        .select_related("venue", "series")
        .prefetch_related(_speakers())
        .defer(*HEAVY, *(column for name in TRANSLATED_HEAVY for column in _translated(name)))
    )
    by_key = {event.pk: event for event in rows}
    return [by_key[key] for key in keys]


def event_detail(ref: str) -> Event | None:
    """One public event by slug (any case) or by id, with its program."""
    events = (
        public_events()
        .select_related("venue", "series")
        .prefetch_related(
            _speakers(),
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order", "time", "pk")),
            Prefetch(
                "breakouts",
                queryset=Breakout.objects.select_related("facilitator").order_by("order", "pk"),
            ),
        )
    )
    found = events.filter(pk=int(ref)) if ref.isdigit() else by_slug(events, ref)
    return found.first()


def series_list() -> QuerySet:
    return Series.objects.order_by("name", "pk")


def speaker_list() -> QuerySet:
    """Speaker pages are public (events.views.SpeakerDetailView); so is this list."""
    return Speaker.objects.order_by("name", "pk").prefetch_related(
        Prefetch("links", queryset=SpeakerLink.objects.order_by("order", "pk"))
    )


def _speakers() -> Prefetch:
    return Prefetch(
        "event_speakers",
        queryset=EventSpeaker.objects.select_related("speaker").order_by("order", "pk"),
        to_attr="api_speakers",
    )


def _translated(field: str) -> list[str]:
    """The field and each language's column of it (modeltranslation)."""
    return [field, *(f"{field}_{code}" for code in languages())]


def _midnight(day: date, zone, *, next_day: bool = False) -> datetime:
    """The start of a day in the group's zone (or UTC without a group)."""
    if next_day:
        day = date.fromordinal(day.toordinal() + 1)
    return datetime.combine(day, time.min, tzinfo=zone or UTC)
