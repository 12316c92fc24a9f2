"""Event times in the group's zone, e.g. "Tue, Dec 8, 2026, 6:30–8:30 PM EST"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import pgettext

DATE = "D, M j, Y"
TIME = "g:i A"


SEPARATOR = "\x1f"


def _parts(value: datetime) -> tuple[str, str]:
    """The local date and time, from one pass of Django's (translatable) date formatting."""
    date_format = pgettext("event date format", DATE)
    time_format = pgettext("event time format", TIME)
    date, time = dateformat.format(value, f"{date_format}{SEPARATOR}{time_format}").split(SEPARATOR)
    return date, time


def format_range(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    start_abbr, end_abbr = start.tzname(), end.tzname()
    start_date, start_time = _parts(start)
    end_date, end_time = _parts(end)
    if start.date() == end.date():
        if start_abbr != end_abbr:  # crosses a daylight-saving change within the day
            return f"{start_date}, {start_time} {start_abbr} – {end_time} {end_abbr}"
        if start_time[-2:] == end_time[-2:] and start_time[-3] == " ":
            start_time = start_time[:-3]  # "6:30–8:30 PM", not "6:30 PM–8:30 PM"
        return f"{start_date}, {start_time}–{end_time} {end_abbr}"
    return f"{start_date}, {start_time} {start_abbr} – {end_date}, {end_time} {end_abbr}"


def format_start(starts_at: datetime, zone: ZoneInfo) -> str:
    start = starts_at.astimezone(zone)
    date, time = _parts(start)
    return f"{date}, {time} {start.tzname()}"


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)
