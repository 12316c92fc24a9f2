"""Event times in the group's zone, e.g. "Tue, Dec 8, 2026, 6:30–8:30 PM EST", in the reader's
language, and beside them the reader's own time when they chose a zone that differs
("1:30–3:30 AM in Madrid")."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from core.emails.message import reader_zone as message_reader_zone

DATE = "D, M j, Y"
TIME = "g:i A"
# Between the group's time and the reader's.
BESIDE = " · "


SEPARATOR = "\x1f"


@lru_cache(maxsize=32)
def _names(language: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, str]]:
    """The formats and the day and month names of a language, translated once."""
    return (
        # Translators: Django date format (docs.djangoproject.com "date" filter) of an event's
        # day, e.g. "Tue, Dec 8, 2026".
        pgettext("event date format", "D, M j, Y"),
        # The language's one time format (config/formats): "6:30 PM", "18:30".
        get_format("TIME_FORMAT", language),
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


def month_abbr(value: datetime) -> str:
    """The month as Django's date format "M" writes it ("Dec"), from names translated once."""
    return _names(get_language() or "en")[3][value.month - 1]


def _times(start_time: str, end_time: str) -> str:
    """ "6:30–8:30 PM", not "6:30 PM–8:30 PM" (a 24-hour format has no AM/PM to share)."""
    if start_time[-2:] == end_time[-2:] and start_time[-3] == " ":
        start_time = start_time[:-3]
    return f"{start_time}–{end_time}"


def format_range(
    starts_at: datetime, ends_at: datetime, zone: ZoneInfo, reader: ZoneInfo | None = None
) -> str:
    """The group's time, and the reader's beside it when `reader` is a zone that differs."""
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    start_abbr, end_abbr = start.tzname(), end.tzname()
    start_date, start_time = _parts(start)
    end_date, end_time = _parts(end)
    if start.date() == end.date():
        if start_abbr != end_abbr:  # crosses a daylight-saving change within the day
            text = f"{start_date}, {start_time} {start_abbr} – {end_time} {end_abbr}"
        else:
            text = f"{start_date}, {_times(start_time, end_time)} {end_abbr}"
    else:
        text = f"{start_date}, {start_time} {start_abbr} – {end_date}, {end_time} {end_abbr}"
    theirs = reader_range(starts_at, ends_at, zone, reader) if reader is not None else ""
    return f"{text}{BESIDE}{theirs}" if theirs else text


def format_start(starts_at: datetime, zone: ZoneInfo, reader: ZoneInfo | None = None) -> str:
    start = starts_at.astimezone(zone)
    date, time = _parts(start)
    text = f"{date}, {time} {start.tzname()}"
    theirs = reader_start(starts_at, zone, reader) if reader is not None else ""
    return f"{text}{BESIDE}{theirs}" if theirs else text


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


# --- The reader's own zone ---------------------------------------------------------------------

# The zone a member chose on /me/: the same reading for pages and emails (core.emails.message).
reader_zone = message_reader_zone


def place(zone: ZoneInfo) -> str:
    """ "Madrid" for Europe/Madrid, "Buenos Aires" for America/Argentina/Buenos_Aires."""
    return str(zone.key).rsplit("/", 1)[-1].replace("_", " ")


def _wall(value: datetime) -> tuple:
    return (value.date(), value.hour, value.minute)


def _in_place(time: str, zone: ZoneInfo) -> str:
    # Translators: the reader's own time beside the group's, e.g. "1:00 AM in Madrid"
    # (the place is the city of their time zone).
    return pgettext("time in the reader's zone", "%(time)s in %(place)s") % {
        "time": time,
        "place": place(zone),
    }


def reader_range(starts_at: datetime, ends_at: datetime, zone: ZoneInfo, reader: ZoneInfo) -> str:
    """ "1:30–3:30 AM in Madrid", with the reader's date when it is another day than the
    group's; "" when the reader's wall clock reads the same as the group's."""
    group_start, group_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    start, end = starts_at.astimezone(reader), ends_at.astimezone(reader)
    if _wall(start) == _wall(group_start) and _wall(end) == _wall(group_end):
        return ""
    start_date, start_time = _parts(start)
    end_date, end_time = _parts(end)
    if start.date() == end.date():
        text = _times(start_time, end_time)
        if start.date() != group_start.date():
            text = f"{start_date}, {text}"
    else:
        if start.date() != group_start.date():
            start_time = f"{start_date}, {start_time}"
        text = f"{start_time} – {end_date}, {end_time}"
    return _in_place(text, reader)


def reader_start(value: datetime, zone: ZoneInfo, reader: ZoneInfo) -> str:
    """ "1:00 AM in Madrid" (with the date when it is another day), or "" as above."""
    group, theirs = value.astimezone(zone), value.astimezone(reader)
    if _wall(theirs) == _wall(group):
        return ""
    date, time = _parts(theirs)
    return _in_place(f"{date}, {time}" if theirs.date() != group.date() else time, reader)
