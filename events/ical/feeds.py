"""Events as VEVENTs in a feed: what each carries, in which zone, with which UID."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import (
    Calendar,
    vCalAddress,
    vDuration,
    vText,
)
from icalendar.parser import Contentline
from modeltranslation.fields import NONE
from modeltranslation.translator import NotRegistered
from modeltranslation.utils import build_localized_fieldname, resolution_order
from modeltranslation.utils import get_language as translation_language

from groups.models import Group

from ..models import EventSpeaker, EventStatus, SpeakerRole
from ..seo import absolute
from ..translation import translated_fields
from .format import (
    PRODID,
    REFRESH,
    Text,
    escape_text,
    fold_lines,
    refold,
    site_domain,
    vtimezone,
)

# --- Events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedVenue:
    name: str
    address: str
    city: str
    latitude: float | None
    longitude: float | None
    updated_at: datetime


@dataclass(frozen=True)
class FeedEvent:
    """What a VEVENT shows about an event, read as plain rows (fast for a thousand events)."""

    pk: int
    slug: str
    title: str
    summary: str
    text: str  # the description as plain text
    status: str
    starts_at: datetime
    ends_at: datetime
    sequence: int
    created_at: datetime
    updated_at: datetime
    is_online: bool
    online_url: str
    address_for_attendees_only: bool
    venue: FeedVenue | None
    series_name: str | None
    guests: tuple[tuple[str, str, datetime], ...]  # guest speakers: name, affiliation, updated

    @property
    def path(self) -> str:
        return _event_path(self.slug)


EVENT_FIELDS = (
    "pk",
    "slug",
    "title",
    "summary",
    "description",
    "description_text",
    "status",
    "starts_at",
    "ends_at",
    "sequence",
    "created_at",
    "updated_at",
    "is_online",
    "online_url",
    "address_for_attendees_only",
    "venue_id",
    "venue__name",
    "venue__address",
    "venue__city",
    "venue__latitude",
    "venue__longitude",
    "venue__updated_at",
    "series__name",
)


@cache
def _event_path_template() -> str:
    return reverse("events:detail", kwargs={"slug": "SLUG"})


def _event_path(slug: str) -> str:
    return _event_path_template().replace("SLUG", slug)


@dataclass(frozen=True)
class Labels:
    """Translated words every VEVENT uses, looked up once per feed."""

    meetup: str
    with_names: str
    join_online: str
    online: str

    @classmethod
    def current(cls) -> "Labels":
        return cls(_("Meetup"), _("With: %(names)s"), _("Join online: %(url)s"), _("Online"))


def _fallbacks(model, names: Iterable[str]) -> list[tuple[str, tuple[str, ...], object, object]]:
    """How modeltranslation reads each translated field in the current language, worked out
    once: (field, its columns in fallback order, the value that counts as empty, what it gives
    when every column is empty). Its descriptor does this again for every field of every row,
    which was most of the time a thousand-event feed took. A name may be a related row's
    field ("venue__name"): its columns are then "venue__name_en"…"""
    language = translation_language()
    plan = []
    for path in names:
        *relations, name = path.split("__")
        owner = model
        for relation in relations:
            owner = owner._meta.get_field(relation).related_model
        descriptor = getattr(owner, name)
        columns = tuple(
            "__".join([*relations, build_localized_fieldname(name, code)])
            for code in resolution_order(language, descriptor.fallback_languages)
        )
        undefined = descriptor.fallback_undefined
        if undefined is NONE:
            undefined = descriptor.field.get_default()
        plan.append((path, columns, undefined, descriptor.__get__(SimpleNamespace(), owner)))
    return plan


def _is_translated(model, path: str) -> bool:
    """Whether a field, the model's own or a related row's ("venue__name"), is translated."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    try:
        return name in translated_fields(model)
    except NotRegistered:  # a model without translated fields (EventSpeaker)
        return False


def _translated_rows(queryset, fields: tuple[str, ...]) -> list[dict]:
    """queryset.values(*fields), the translated fields (the event's and its venue's and
    series') in the current language with modeltranslation's fallbacks, resolved per row in
    plain Python."""
    model = queryset.model
    plan = _fallbacks(model, [f for f in fields if _is_translated(model, f)])
    translated = {name for name, *_rest in plan}
    columns = [f for f in fields if f not in translated]
    columns += [column for _name, field_columns, _, _ in plan for column in field_columns]
    if hasattr(queryset, "rewrite"):  # a translated model's queryset: its own names, as asked
        queryset = queryset.rewrite(False)
    rows = list(queryset.values(*columns))
    for row in rows:
        for name, field_columns, undefined, empty in plan:
            for column in field_columns:
                value = row[column]
                if value is not None and value != undefined:
                    break
            else:
                value = empty
            row[name] = value
    return rows


def feed_events(queryset) -> list[FeedEvent]:
    """The events of a queryset as FeedEvents, in two queries whatever their number."""
    from core.markdown import markdown_to_text

    rows = _translated_rows(queryset, EVENT_FIELDS)
    guests: dict[int, list] = {}
    speakers = _translated_rows(
        EventSpeaker.objects.filter(
            event__in=queryset.values("pk"), role=SpeakerRole.GUEST
        ).order_by("order", "pk"),
        ("event_id", "speaker__name", "speaker__affiliation", "speaker__updated_at"),
    )
    for row in speakers:
        guests.setdefault(row["event_id"], []).append(
            (row["speaker__name"], row["speaker__affiliation"], row["speaker__updated_at"])
        )
    events = []
    venues: dict[int, FeedVenue] = {}  # a few venues for many events: one FeedVenue each
    for row in rows:
        venue = None
        if row["venue_id"] is not None:
            venue = venues.get(row["venue_id"])
            if venue is None:
                venue = venues[row["venue_id"]] = FeedVenue(
                    row["venue__name"],
                    row["venue__address"],
                    row["venue__city"],
                    row["venue__latitude"],
                    row["venue__longitude"],
                    row["venue__updated_at"],
                )
        text = row["description_text"]
        if row["description"] and not text:  # rows written before the plain text was kept
            text = markdown_to_text(row["description"])
        events.append(
            FeedEvent(
                pk=row["pk"],
                slug=row["slug"],
                title=row["title"],
                summary=row["summary"],
                text=text,
                status=row["status"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                sequence=row["sequence"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                is_online=row["is_online"],
                online_url=row["online_url"],
                address_for_attendees_only=row["address_for_attendees_only"],
                venue=venue,
                series_name=row["series__name"],
                guests=tuple(guests.get(row["pk"], ())),
            )
        )
    return events


def event_uid(event) -> str:
    return f"event-{event.pk}@{site_domain()}"


def _description(event: FeedEvent, *, online_url: str | None, labels: Labels, url: str) -> str:
    parts = []
    if event.summary:
        parts.append(event.summary)
    if event.text:
        parts.append(event.text)
    if event.guests:
        names = ", ".join(
            f"{name} ({affiliation})" if affiliation else name
            for name, affiliation, _updated in event.guests
        )
        parts.append(labels.with_names % {"names": names})
    if online_url:
        parts.append(labels.join_online % {"url": online_url})
    parts.append(url)
    return "\n\n".join(parts)


def location_text(event, *, private: bool, labels: Labels | None = None) -> str:
    """LOCATION for a FeedEvent or an Event: the exact address only where it may be shown."""
    pieces = []
    if event.venue is not None:
        venue = event.venue
        if event.address_for_attendees_only and not private:
            pieces = [venue.name, venue.city]
        else:
            pieces = [venue.name, venue.address, venue.city]
    elif event.is_online:
        pieces = [labels.online if labels else _("Online")]
    return ", ".join(piece for piece in pieces if piece)


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment in the group's zone, or in UTC if that wall time happens twice.

    RFC 5545 reads a local time in the hour that repeats when clocks go back as the first
    occurrence, ical.js (Thunderbird) as the second: only UTC means the same to every client.
    """
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def last_changed(event: FeedEvent) -> datetime:
    """When anything shown about the event last changed: the event, its venue or speakers."""
    moments = [event.updated_at]
    if event.venue is not None:
        moments.append(event.venue.updated_at)
    moments += [updated for _name, _affiliation, updated in event.guests]
    return max(moments)


def _wall(moment: datetime) -> str:
    """The wall time as strftime("%Y%m%dT%H%M%S") writes it (for years 1000 to 9999), in
    less than half its time: a feed writes four per event."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat().replace("-", "").replace(":", "")


def _utc(moment: datetime) -> str:
    return _wall(moment.astimezone(UTC)) + "Z"


def _when(name: str, moment: datetime, zone: ZoneInfo) -> str:
    local = in_zone(moment, zone)
    if local.tzinfo is UTC:
        return f"{name}:{_utc(local)}"
    return f"{name};TZID={zone.key}:{_wall(local)}"


def organizer_line(group: Group) -> str:
    """ORGANIZER with the group's name as CN, parameter quoting by icalendar."""
    organizer = vCalAddress(f"mailto:{group.contact_email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(group.name)
    return Contentline.from_parts("ORGANIZER", organizer.params, organizer).strip()


def vevent_lines(
    event: FeedEvent,
    *,
    zone: ZoneInfo,
    organizer: str,
    labels: Labels,
    private: bool = False,
    tentative: bool = False,
) -> list[str]:
    """One VEVENT as unfolded content lines, in icalendar's property order.

    Values are escaped and formatted exactly as icalendar's types do; writing the lines
    directly keeps a thousand-event feed fast. private: the reader is going (online link,
    exact address); tentative: the reader is waitlisted.
    """
    changed = _utc(last_changed(event))
    url = absolute(event.path)
    online_url = event.online_url if (private and event.is_online) else None
    if event.status == EventStatus.CANCELLED:
        status = "CANCELLED"
    else:
        status = "TENTATIVE" if tentative else "CONFIRMED"
    description = _description(event, online_url=online_url, labels=labels, url=url)
    categories = [labels.meetup] + ([event.series_name] if event.series_name else [])
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{escape_text(event.title)}",
        _when("DTSTART", event.starts_at, zone),
        _when("DTEND", event.ends_at, zone),
        f"DTSTAMP:{changed}",
        f"UID:{event_uid(event)}",
        f"SEQUENCE:{event.sequence}",
        "CATEGORIES:" + ",".join(escape_text(c) for c in categories),
        f"CREATED:{_utc(event.created_at)}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    venue = event.venue
    hide_address = event.address_for_attendees_only and not private
    if venue and venue.latitude is not None and venue.longitude is not None and not hide_address:
        # As vGeo((latitude, longitude)).to_ical() writes it.
        lines.append(f"GEO:{float(venue.latitude)};{float(venue.longitude)}")
    lines.append(f"LAST-MODIFIED:{changed}")
    location = location_text(event, private=private, labels=labels)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines += [
        organizer,
        f"STATUS:{status}",
        "TRANSP:OPAQUE",
        f"URL:{url}",
        "END:VEVENT",
    ]
    return lines


def build_calendar(
    events: Iterable[FeedEvent],
    *,
    group: Group,
    name: str,
    description: str,
    going_ids: frozenset[int] = frozenset(),
    waitlisted_ids: frozenset[int] = frozenset(),
) -> bytes:
    """A VCALENDAR for the events (as read by feed_events)."""
    events = list(events)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", Text(name))
    cal.add("x-wr-calname", Text(name))
    cal.add("x-wr-caldesc", Text(description))
    cal.add("x-wr-timezone", group.time_zone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    zone = ZoneInfo(group.time_zone)
    if events:
        years = [e.starts_at.astimezone(zone).year for e in events] + [
            e.ends_at.astimezone(zone).year for e in events
        ]
        cal.add_component(vtimezone(group.time_zone, min(years) - 1, max(years) + 1))
    head = refold(cal.to_ical()).decode()
    organizer = organizer_line(group)
    labels = Labels.current()
    lines = []
    for event in events:
        lines += vevent_lines(
            event,
            zone=zone,
            organizer=organizer,
            labels=labels,
            private=event.pk in going_ids,
            tentative=event.pk in waitlisted_ids,
        )
    lines.append("END:VCALENDAR")
    return (head[: -len("END:VCALENDAR\r\n")] + fold_lines(lines)).encode()
