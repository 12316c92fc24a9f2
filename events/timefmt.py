"""Event times in the group's zone, e.g. "Tue, Dec 8, 2026, 6:30–8:30 PM EST"."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

DATE = "D, M j, Y"
TIME = "g:i A"


SEPARATOR = "\x1f"


@lru_cache(maxsize=32)
def _names(language: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, str]]:
    """The formats and the day and month names of a language, translated once."""
    return (
        pgettext("event date format", DATE),
        pgettext("event time format", TIME),
        tuple(str(WEEKDAYS_ABBR[day]) for day in range(7)),
        tuple(str(MONTHS_3[month]).title() for month in range(1, 13)),
        (_("AM"), _("PM")),
    )


def _parts(value: datetime) -> tuple[str, str]:
    """The local date and time as Django's date formatting writes "D, M j, Y" and "g:i A".

    A listing shows many dates and Django's formatter translates every name again, so the
    default formats are written here from names translated once per language; a translation
    that changes the formats goes through Django's formatter.
    """
    date_format, time_format, days, months, (am, pm) = _names(get_language() or "en")
    if date_format != DATE or time_format != TIME:
        date, time = dateformat.format(value, f"{date_format}{SEPARATOR}{time_format}").split(
            SEPARATOR
        )
        return date, time
    hour = value.hour % 12 or 12
    return (
        f"{days[value.weekday()]}, {months[value.month - 1]} {value.day}, {value.year}",
        f"{hour}:{value.minute:02d} {pm if value.hour >= 12 else am}",
    )


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
