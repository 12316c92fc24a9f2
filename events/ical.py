"""iCalendar feeds built with the icalendar package, read correctly by every mainstream client.

Times carry TZID in the group's zone with a VTIMEZONE written as yearly RRULE rules (as Google
and Meetup write them): icalendar's own add_missing_timezones() lists transitions in one
multi-valued RDATE, which ical.js (Thunderbird) and vobject misread.
"""

import calendar as pycalendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vCategory,
    vDuration,
    vText,
)

from groups.markdown import markdown_to_text
from groups.models import Group

from .models import Event, EventStatus, SpeakerRole

PRODID = "-//Potluck//Potluck meetup calendar//EN"
REFRESH = timedelta(hours=1)
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Text and folding -------------------------------------------------------------------------


class Text(vText):
    """TEXT escaped as RFC 5545 says, and nothing more.

    icalendar's vText first turns a backslash followed by N into a line break, so "C:\\Notes"
    came out as "C:" and "otes" on a new line. Applied to every TEXT value, names included:
    icalendar does not escape NAME or X-WR-* values at all.
    """

    def to_ical(self) -> bytes:
        escaped = (
            self.replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\n", "\\n")
            .replace("\r", "\\n")
        )
        return escaped.encode(self.encoding)


class Categories(vCategory):
    """CATEGORIES whose items are escaped by Text."""

    def __init__(self, categories: list[str]):
        super().__init__(categories)
        self.cats = [Text(category) for category in categories]


FOLD_AT = 75  # octets per physical line, CRLF excluded (RFC 5545 section 3.1)


def _units(line: str) -> list[str]:
    """The pieces a fold may not split: a character, a backslash escape in the value (a
    backslash and the character after it), a caret escape in a parameter (RFC 6868)."""
    units, index, in_value, quoted = [], 0, False, False
    while index < len(line):
        char = line[index]
        pair = line[index : index + 2]
        if (in_value and char == "\\" and len(pair) == 2) or (
            not in_value and pair in ("^^", "^n", "^'")
        ):
            units.append(pair)
            index += 2
            continue
        if not in_value:
            if char == '"':
                quoted = not quoted
            elif char == ":" and not quoted:
                in_value = True
        units.append(char)
        index += 1
    return units


def _fold(line: str) -> str:
    """One content line folded at 75 octets, never inside a UTF-8 character or an escape."""
    physical, current, size = [], [], 0
    for unit in _units(line):
        octets = len(unit.encode())
        limit = FOLD_AT - (1 if physical else 0)  # a continuation starts with a space
        if current and size + octets > limit:
            physical.append("".join(current))
            current, size = [], 0
        current.append(unit)
        size += octets
    physical.append("".join(current))
    return "\r\n ".join(physical)


def refold(body: bytes) -> bytes:
    """icalendar folds at 75 octets but can cut a run of backslashes inside an escape (a line
    ending in the first half of `\\\\`), which some clients read wrongly: unfold, fold again."""
    lines: list[str] = []
    for physical in body.decode().split("\r\n"):
        if physical[:1] in (" ", "\t") and lines:
            lines[-1] += physical[1:]
        elif physical:
            lines.append(physical)
    return "".join(f"{_fold(line)}\r\n" for line in lines).encode()


# --- VTIMEZONE ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC instant
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str

    @property
    def local_start(self) -> datetime:
        """Wall-clock time of the change, in the offset in force before it (RFC 5545)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    def rule_key(self) -> tuple:
        local = self.local_start
        nth = (local.day - 1) // 7 + 1
        if local.day + 7 > pycalendar.monthrange(local.year, local.month)[1]:
            nth = -1  # "last Sunday" rules land on different weeks from year to year
        return (
            self.is_dst,
            self.offset_from,
            self.offset_to,
            self.name,
            local.month,
            nth,
            local.weekday(),
            local.time(),
        )


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    found = []
    moment = start
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        step = moment + timedelta(days=1)
        if step.astimezone(zone).utcoffset() != offset:
            low, high = moment, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            after = high.astimezone(zone)
            found.append(
                Transition(high, offset, after.utcoffset(), bool(after.dst()), after.tzname())
            )
            offset = after.utcoffset()
        moment = step
    return found


def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE covering first_year..last_year, with one RRULE per recurring change."""
    zone = ZoneInfo(zone_name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    component = Timezone()
    component.add("tzid", zone_name)
    component.add("x-lic-location", zone_name)
    transitions = _transitions(zone, start, end)
    if not transitions:
        local = start.astimezone(zone)
        standard = TimezoneStandard()
        standard.add("dtstart", local.replace(tzinfo=None))
        standard.add("tzoffsetfrom", local.utcoffset())
        standard.add("tzoffsetto", local.utcoffset())
        standard.add("tzname", local.tzname())
        component.add_component(standard)
        return component

    # Group each kind of change into runs that repeat every year with the same rule.
    runs: list[list[Transition]] = []
    for transition in transitions:
        for run in runs:
            last = run[-1]
            if (
                last.rule_key() == transition.rule_key()
                and transition.local_start.year == last.local_start.year + 1
            ):
                run.append(transition)
                break
        else:
            runs.append([transition])

    for run in runs:
        first, last = run[0], run[-1]
        sub = TimezoneDaylight() if first.is_dst else TimezoneStandard()
        sub.add("dtstart", first.local_start)
        sub.add("tzoffsetfrom", first.offset_from)
        sub.add("tzoffsetto", first.offset_to)
        sub.add("tzname", first.name)
        if len(run) > 1:
            _, _, _, _, month, nth, weekday, _ = first.rule_key()
            rule = {"freq": "yearly", "bymonth": month, "byday": f"{nth}{WEEKDAYS[weekday]}"}
            ends_in_range = last.local_start.year < last_year
            if ends_in_range:
                rule["until"] = last.at
            sub.add("rrule", rule)
        component.add_component(sub)
    return component


# --- Events ------------------------------------------------------------------------------------


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{site_domain()}"


def _description(event: Event, *, online_url: str | None) -> str:
    parts = []
    if event.summary:
        parts.append(event.summary)
    text = markdown_to_text(event.description)
    if text:
        parts.append(text)
    guests = [es.speaker for es in event.event_speakers.all() if es.role == SpeakerRole.GUEST]
    if guests:
        names = ", ".join(
            f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in guests
        )
        parts.append(_("With: %(names)s") % {"names": names})
    if online_url:
        parts.append(_("Join online: %(url)s") % {"url": online_url})
    parts.append(absolute(event.get_absolute_url()))
    return "\n\n".join(parts)


def _location(event: Event, *, private: bool) -> str:
    pieces = []
    if event.venue_id:
        venue = event.venue
        if event.address_for_attendees_only and not private:
            pieces = [venue.name, venue.city]
        else:
            pieces = [venue.name, venue.address, venue.city]
    elif event.is_online:
        pieces = [_("Online")]
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


def last_changed(event: Event) -> datetime:
    """When anything shown about the event last changed: the event, its venue or speakers."""
    moments = [event.updated_at]
    if event.venue_id:
        moments.append(event.venue.updated_at)
    moments += [es.speaker.updated_at for es in event.event_speakers.all()]
    return max(moments)


def event_component(event: Event, *, private: bool = False, tentative: bool = False):
    """One VEVENT. private: the reader is going (online link, exact address)."""
    from icalendar import Event as VEvent

    zone = ZoneInfo(event.group.time_zone)
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", last_changed(event).astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("last-modified", last_changed(event).astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", in_zone(event.starts_at, zone))
    vevent.add("dtend", in_zone(event.ends_at, zone))
    vevent.add("summary", Text(event.title))
    online_url = event.online_url if (private and event.is_online) else None
    vevent.add("description", Text(_description(event, online_url=online_url)))
    vevent.add("url", absolute(event.get_absolute_url()))
    location = _location(event, private=private)
    if location:
        vevent.add("location", Text(location))
    venue = event.venue if event.venue_id else None
    hide_address = event.address_for_attendees_only and not private
    if venue and venue.latitude is not None and venue.longitude is not None and not hide_address:
        vevent.add("geo", (float(venue.latitude), float(venue.longitude)))
    if event.status == EventStatus.CANCELLED:
        vevent.add("status", "CANCELLED")
    elif tentative:
        vevent.add("status", "TENTATIVE")
    else:
        vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{event.group.contact_email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(event.group.name)
    vevent.add("organizer", organizer)
    categories = [_("Meetup")]
    if event.series_id:
        categories.append(event.series.name)
    vevent.add("categories", Categories(categories))
    return vevent


def build_calendar(
    events: Iterable[Event],
    *,
    group: Group,
    name: str,
    description: str,
    going_ids: frozenset[int] = frozenset(),
    waitlisted_ids: frozenset[int] = frozenset(),
) -> bytes:
    """A VCALENDAR for the events (already fetched with venue, series and speakers)."""
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
    for event in events:
        cal.add_component(
            event_component(
                event,
                private=event.pk in going_ids,
                tentative=event.pk in waitlisted_ids,
            )
        )
    return refold(cal.to_ical())
