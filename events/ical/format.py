"""RFC 5545 writing that knows nothing of events: text values, line folding, VTIMEZONE."""

import calendar as pycalendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import (
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vText,
)

PRODID = "-//Potluck//Potluck meetup calendar//EN"


REFRESH = timedelta(hours=1)


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def site_domain() -> str:
    return _hostname(settings.SITE_URL)


@cache
def _hostname(url: str) -> str:
    return urlsplit(url).hostname or "localhost"


# --- Text and folding -------------------------------------------------------------------------


class Text(vText):
    """TEXT escaped as RFC 5545 says, and nothing more.

    icalendar's vText first turns a backslash followed by N into a line break, so "C:\\Notes"
    came out as "C:" and "otes" on a new line. Applied to every TEXT value, names included:
    icalendar does not escape NAME or X-WR-* values at all.
    """

    def to_ical(self) -> bytes:
        return escape_text(self).encode(self.encoding)


def escape_text(value: str) -> str:
    """A TEXT value escaped as Text.to_ical() does, without making a Text (a thousand-event
    feed escapes four thousand of them)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


FOLD_AT = 75  # octets per physical line, CRLF excluded (RFC 5545 section 3.1)


_HEADER = re.compile(r'^[^:"]*(?:"[^"]*"[^:"]*)*:')


def _fold(line: str) -> str:
    """One content line folded at 75 octets, never inside a UTF-8 character, a backslash
    escape in the value, or a caret escape in a parameter (RFC 6868)."""
    data = line.encode()
    if len(data) <= FOLD_AT:
        return line
    header = _HEADER.match(line)
    value_start = len(header.group(0).encode()) if header else 0
    pieces, start, limit = [], 0, FOLD_AT
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # inside a multi-byte character
            cut -= 1
        escape = 0x5C if cut > value_start else 0x5E  # backslash in the value, caret before
        run = 0
        while cut - run - 1 >= start and data[cut - run - 1] == escape:
            run += 1
        if run % 2:  # the cut would separate an escape character from what it escapes
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, FOLD_AT - 1  # a continuation line starts with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode()


def fold_lines(lines: Iterable[str]) -> str:
    """Content lines folded and each ended with CRLF. A line of at most FOLD_AT characters
    that are all ASCII is at most FOLD_AT octets: most lines skip _fold()."""
    return "".join(
        [
            f"{line}\r\n" if len(line) <= FOLD_AT and line.isascii() else f"{_fold(line)}\r\n"
            for line in lines
        ]
    )


def refold(body: bytes) -> bytes:
    """icalendar folds at 75 octets but can cut a run of backslashes inside an escape (a line
    ending in the first half of `\\\\`), which some clients read wrongly: unfold, fold again."""
    lines: list[str] = []
    for physical in body.decode().split("\r\n"):
        if physical[:1] in (" ", "\t") and lines:
            lines[-1] += physical[1:]
        elif physical:
            lines.append(physical)
    return fold_lines(lines).encode()


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
