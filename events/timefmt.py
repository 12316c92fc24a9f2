"""Event times in the group's zone, e.g. "Tue, Dec 8, 2026, 6:30–8:30 PM EST"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import pgettext

DATE = "D, M j, Y"
TIME = "g:i A"


def _date(value: datetime) -> str:
    return dateformat.format(value, pgettext("event date format", DATE))


def _time(value: datetime) -> str:
    return dateformat.format(value, pgettext("event time format", TIME))


def format_range(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    start_abbr, end_abbr = start.tzname(), end.tzname()
    if start.date() == end.date():
        start_time, end_time = _time(start), _time(end)
        if start_abbr != end_abbr:  # crosses a daylight-saving change within the day
            return f"{_date(start)}, {start_time} {start_abbr} – {end_time} {end_abbr}"
        if start_time[-2:] == end_time[-2:] and start_time[-3] == " ":
            start_time = start_time[:-3]  # "6:30–8:30 PM", not "6:30 PM–8:30 PM"
        return f"{_date(start)}, {start_time}–{end_time} {end_abbr}"
    return f"{_date(start)}, {_time(start)} {start_abbr} – {_date(end)}, {_time(end)} {end_abbr}"


def format_start(starts_at: datetime, zone: ZoneInfo) -> str:
    start = starts_at.astimezone(zone)
    return f"{_date(start)}, {_time(start)} {start.tzname()}"


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)
