"""Series and recurrence: the next date, duplicating an event, scheduling a series."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import generations
from core.imagefiles import SIBLINGS, sibling
from core.languages import languages
from core.markdown import markdown_store

from ..models import (
    AgendaItem,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    Recurrence,
    Series,
    Speaker,
    SpeakerRole,
)
from ..translation import in_main_language, translated_fields, translated_values
from .events import event_set_status


def next_date(starts_at: datetime, recurrence: str, zone) -> datetime:
    """The next occurrence at the same wall-clock time in the group's zone (DST-safe)."""
    local = starts_at.astimezone(zone).replace(tzinfo=None)
    if recurrence == Recurrence.WEEKLY:
        nxt = local + timedelta(weeks=1)
    elif recurrence == Recurrence.BIWEEKLY:
        nxt = local + timedelta(weeks=2)
    elif recurrence == Recurrence.MONTHLY_DAY:
        nxt = local + relativedelta(months=1)
    else:
        # Same weekday and week of the month; a fifth weekday falls back to the last one.
        nth = (local.day - 1) // 7 + 1
        first_of_next = (local + relativedelta(months=1)).replace(day=1)
        weekday = relativedelta(weekday=local.weekday())
        candidate = first_of_next + weekday + timedelta(weeks=nth - 1)
        if candidate.month != first_of_next.month:
            candidate -= timedelta(weeks=1)
        nxt = candidate
    return nxt.replace(tzinfo=zone)


# Changing these moves the events held at the venue, in calendar terms.
def unique_slug(base: str) -> str:
    slug, n = base, 2
    while Event.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# What a copy of an event does not take over: its identity, state and record. Every other
# field (and any field added later) is copied; the RSVP window moves with the start.
NOT_COPIED = frozenset(
    {
        "id",
        "slug",
        "status",
        "starts_at",
        "ends_at",
        "rsvp_opens_at",
        "rsvp_closes_at",
        "sequence",
        "waitlist_counter",
        "announced_at",
        "import_uid",
        "source_url",
        "cover_image",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    }
)


def _local(moment: datetime, zone) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _copy_image(fieldfile) -> str:
    """A stored image copied under a new name (JPEG, WebP and their smaller renditions), so
    either event can drop it."""
    if not fieldfile:
        return ""
    storage = fieldfile.storage
    with storage.open(fieldfile.name) as original:
        name = storage.save(fieldfile.name, original)
    for ext, width in SIBLINGS:
        stored = sibling(fieldfile.name, ext, width)
        if storage.exists(stored):
            with storage.open(stored) as original:
                storage.save(sibling(name, ext, width), original)
    return name


@in_main_language
def event_duplicate(
    *,
    event: Event,
    starts_at: datetime,
    by,
    guest_speakers: bool = True,
    texts: dict[str, str] | None = None,
) -> Event:
    """Copies an event with its settings, hosts, speakers, program and breakout topics to a new
    start, as a draft; times of day in the program move with the start's wall-clock time.
    guest_speakers=False leaves the guests out (to be announced); moderators and facilitators
    stay. texts replaces copied texts by column ({"title_en": …, "description_es": ""})."""
    zone = event.group.zone
    with transaction.atomic():
        local_shift = _local(starts_at, zone) - _local(event.starts_at, zone)

        def moved(moment: datetime | None) -> datetime | None:
            """The same wall-clock distance from the start (7 PM stays 7 PM across DST)."""
            return moment and (_local(moment, zone) + local_shift).replace(tzinfo=zone)

        # Each language's text by its own column (title_en, title_es…): the translated field
        # itself (title) reads and writes only the reader's language.
        translated = translated_fields(Event)
        copy = Event(
            **{
                field.attname: getattr(event, field.attname)
                for field in Event._meta.concrete_fields
                if field.name not in NOT_COPIED and field.name not in translated
            }
        )
        for column, value in (texts or {}).items():
            setattr(copy, column, value)
        copy.status = EventStatus.DRAFT
        if copy.venue_id is None and event.series_id:
            copy.venue_id = event.series.default_venue_id
        copy.starts_at = starts_at
        copy.ends_at = moved(event.ends_at)
        copy.rsvp_opens_at = moved(event.rsvp_opens_at)
        copy.rsvp_closes_at = moved(event.rsvp_closes_at)
        date_slug = starts_at.astimezone(zone).date().isoformat()
        stem = event.series.slug if event.series_id else slugify(event.title)[:150]
        copy.slug = unique_slug(slugify(f"{stem}-{date_slug}") or f"event-{date_slug}")
        copy.cover_image = _copy_image(event.cover_image)
        copy.created_by = copy.updated_by = by
        markdown_store(copy)
        copy.full_clean()
        copy.save()
        copy.hosts.set(event.hosts.all())
        generations.bulk_create(
            EventSpeaker,
            (
                EventSpeaker(event=copy, speaker_id=s.speaker_id, role=s.role, order=s.order)
                for s in event.event_speakers.all()
                if guest_speakers or s.role != SpeakerRole.GUEST
            ),
        )
        day = _local(event.starts_at, zone).date()
        generations.bulk_create(
            AgendaItem,
            (
                AgendaItem(
                    event=copy,
                    time=item.time and (datetime.combine(day, item.time) + local_shift).time(),
                    **translated_values(item),  # title_en, title_es, description_en…
                    kind=item.kind,
                    order=item.order,
                )
                for item in event.agenda_items.all()
            ),
        )
        # The topics and who leads them; notes are what the old discussion came to, not copied.
        generations.bulk_create(
            Breakout,
            (
                Breakout(
                    event=copy,
                    **translated_values(b),
                    facilitator_id=b.facilitator_id,
                    facilitator_name=b.facilitator_name,
                    capacity=b.capacity,
                    order=b.order,
                )
                for b in event.breakouts.all()
            ),
        )
    return copy


def next_start(event: Event) -> datetime:
    """The series' next date, or a week later for an event outside a series."""
    recurrence = event.series.recurrence if event.series_id else Recurrence.WEEKLY
    return next_date(event.starts_at, recurrence, event.group.zone)


def event_duplicate_to_next(*, event: Event, by) -> Event:
    """Copies an event to its next date (see next_start) as a draft."""
    return event_duplicate(event=event, starts_at=next_start(event), by=by)


# How many dates one "schedule the next dates" may create (the admin form's limit too).
SCHEDULE_MAX = 24


def series_next_dates(*, series: Series, count: int, now: datetime | None = None) -> list:
    """The series' next `count` dates (local dates in the group's zone) starting after now,
    by its recurrence, stepped from its latest event that has started (or its first event
    when none has), whether or not they already have an event."""
    now = now or timezone.now()
    zone = series.group.zone
    events = Event.objects.filter(series=series)
    anchor = events.filter(starts_at__lte=now).order_by("-starts_at", "-pk").first()
    anchor = anchor or events.order_by("starts_at", "pk").first()
    if anchor is None:
        return []
    starts_at, dates = anchor.starts_at, []
    while len(dates) < count:
        if starts_at > now:
            dates.append(_local(starts_at, zone).date())
        starts_at = next_date(starts_at, series.recurrence, zone)
    return dates


@dataclass(frozen=True)
class DateDetails:
    """What an organizer says about one scheduled date before it is created: blank title
    means "To be announced"."""

    title: str = ""
    summary: str = ""
    speaker: Speaker | None = None


def _date_texts(details: DateDetails) -> dict[str, str]:
    """The new date's own texts in every language's column: the organizer's title and summary
    in the main language (the other languages fall back to it), or "To be announced" in each
    language; no description (the latest talk's is not this one's)."""
    main = settings.LANGUAGE_CODE
    texts = {}
    for code in languages():
        with translation.override(code):
            to_be_announced = _("To be announced")
        texts[f"title_{code}"] = to_be_announced if not details.title else ""
        texts[f"summary_{code}"] = ""
        texts[f"description_{code}"] = ""
    if details.title:
        texts[f"title_{main}"] = details.title
    texts[f"summary_{main}"] = details.summary
    return texts


def series_dates_to_create(
    *, series: Series, count: int, now: datetime | None = None
) -> list[date]:
    """The dates series_schedule would create: the next `count` dates (series_next_dates)
    that have no event of the series yet, of any status (a cancelled date stays cancelled)."""
    dates = series_next_dates(series=series, count=count, now=now)
    if not dates:
        return []
    zone = series.group.zone
    # Local dates of the series' events around those dates (a day either side for zones).
    midnight = datetime.min.time()
    around = Event.objects.filter(
        series=series,
        starts_at__gte=datetime.combine(dates[0], midnight, zone) - timedelta(days=1),
        starts_at__lt=datetime.combine(dates[-1], midnight, zone) + timedelta(days=2),
    )
    taken = {
        _local(starts_at, zone).date() for starts_at in around.values_list("starts_at", flat=True)
    }
    return [day for day in dates if day not in taken]


def _latest(events):
    """The event a schedule copies: the series' latest one not cancelled, or its latest."""
    return (
        events.exclude(status=EventStatus.CANCELLED).order_by("-starts_at", "-pk").first()
        or events.order_by("-starts_at", "-pk").first()
    )


def series_schedule_preview(
    *, series: Series, count: int, now: datetime | None = None
) -> list[datetime]:
    """When the dates series_schedule would create start (at the latest event's local time)."""
    template = _latest(Event.objects.filter(series=series))
    if template is None:
        return []
    zone = series.group.zone
    time_of_day = _local(template.starts_at, zone).time()
    return [
        datetime.combine(day, time_of_day, zone)
        for day in series_dates_to_create(series=series, count=count, now=now)
    ]


def series_schedule(
    *,
    series: Series,
    count: int,
    by,
    publish: bool = False,
    now: datetime | None = None,
    details: dict[date, DateDetails] | None = None,
) -> list[Event]:
    """Creates the series' next `count` dates that have no event of the series yet
    (series_dates_to_create, so a second run creates nothing), each a copy of the series'
    latest event at its wall-clock time, with the guest speakers left out; as drafts, or
    published and announced once each. With details (the admin's preview), each date takes
    its own title, summary and guest speaker instead of the latest talk's (DateDetails; a date
    missing from it is "To be announced"). All or nothing: one transaction."""
    if not 1 <= count <= SCHEDULE_MAX:
        raise ValidationError(
            _("Schedule between 1 and %(max)d dates at a time.") % {"max": SCHEDULE_MAX},
            code="count",
        )
    now = now or timezone.now()
    with transaction.atomic():
        # One run per series at a time: a second one waits, then sees the first one's events.
        series = Series.objects.select_for_update().select_related("group").get(pk=series.pk)
        zone = series.group.zone
        events = Event.objects.filter(series=series)
        template = _latest(events)
        if template is None:
            raise ValidationError(
                _("“%(series)s” has no event to copy yet: create its first event, then schedule.")
                % {"series": series.name},
                code="no_event",
            )
        template = (
            events.select_related("group", "series")
            .prefetch_related("hosts", "event_speakers", "agenda_items", "breakouts")
            .get(pk=template.pk)
        )
        time_of_day = _local(template.starts_at, zone).time()
        created = []
        for day in series_dates_to_create(series=series, count=count, now=now):
            told = None if details is None else details.get(day, DateDetails())
            copy = event_duplicate(
                event=template,
                starts_at=datetime.combine(day, time_of_day, zone),
                by=by,
                guest_speakers=False,
                texts=None if told is None else _date_texts(told),
            )
            if told is not None and told.speaker is not None:
                EventSpeaker.objects.create(
                    event=copy, speaker=told.speaker, role=SpeakerRole.GUEST, order=0
                )
            if publish:
                # The path every publication takes: the group is told once, after commit.
                copy = event_set_status(event=copy, status=EventStatus.PUBLISHED, by=by)
            created.append(copy)
    return created
