"""Time written one way per language, on pages and in emails (LOOK.md, "Time").

Absolute: "Tue, Jan 12 · 6:30–8:30 PM" in English, "mar, 12 ene · 18:30–20:30" in Spanish
(24-hour), the year only when it is not this year, in the group's zone; beside it the reader's
own time when they chose a zone that differs ("1:30–3:30 AM in Madrid").
Relative, for activity (comments, threads, announcements, proposals, votes, photos): "just now",
"5 min ago", "2 h ago", "yesterday", "3 days ago", then the date.
Date badges: the day and the month abbreviation ("12", "ene").
"""

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from core.emails.message import reader_zone as message_reader_zone

# Between the date and the time, and between the group's time and the reader's.
DOT = " · "
BESIDE = DOT
# The time formats written here without Django's formatter (config/formats).
TWELVE_HOUR, TWENTY_FOUR_HOUR = "g:i A", "H:i"
# Activity older than this is written as a date.
RELATIVE_DAYS = 7


@lru_cache(maxsize=32)
def _names(
    language: str,
) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, str]]:
    """A language's patterns and its day and month names, translated once (a listing shows
    many dates and Django's formatter would translate every name again)."""
    days = tuple(str(WEEKDAYS_ABBR[day]) for day in range(7))
    # Django writes "jan" for English and "ene" for Spanish: a month is capitalised as the
    # language capitalises its weekdays ("Tue, Jan 12", "mar, 12 ene").
    title = days[0][:1].isupper()
    months = tuple(
        str(MONTHS_3[month]).title() if title else str(MONTHS_3[month]) for month in range(1, 13)
    )
    return (
        # Translators: a day this year, e.g. "Tue, Jan 12"; in Spanish "mar, 12 ene".
        pgettext("date without year", "%(weekday)s, %(month)s %(day)s"),
        # Translators: a day of another year, e.g. "Tue, Jan 12, 2027"; in Spanish
        # "mar, 12 ene 2027".
        pgettext("date with year", "%(weekday)s, %(month)s %(day)s, %(year)s"),
        # The language's one time format (config/formats): "6:30 PM", "18:30".
        get_format("TIME_FORMAT", language),
        days,
        months,
        (_("AM"), _("PM")),
    )


def _language() -> str:
    return get_language() or "en"


def day(value: datetime, *, year: bool | None = None, now: datetime | None = None) -> str:
    """ "Tue, Jan 12" (with ", 2027" when not this year) for a local datetime."""
    without, with_year, _time_format, days, months, _ampm = _names(_language())
    if year is None:
        this_year = (now or timezone.now()).astimezone(value.tzinfo).year
        year = value.year != this_year
    pattern = with_year if year else without
    return pattern % {
        "weekday": days[value.weekday()],
        "month": months[value.month - 1],
        "day": value.day,
        "year": value.year,
    }


def clock(value: datetime) -> str:
    """ "6:30 PM" in English, "18:30" in Spanish (the language's TIME_FORMAT)."""
    *_rest, time_format, _days, _months, (am, pm) = _names(_language())
    if time_format == TWELVE_HOUR:
        return f"{value.hour % 12 or 12}:{value.minute:02d} {pm if value.hour >= 12 else am}"
    if time_format == TWENTY_FOUR_HOUR:
        return f"{value.hour:02d}:{value.minute:02d}"
    return dateformat.time_format(value, time_format)


def month_abbr(value: datetime) -> str:
    """The month of a date badge: "Jan" in English, "ene" in Spanish."""
    return _names(_language())[4][value.month - 1]


def _times(start_time: str, end_time: str) -> str:
    """ "6:30–8:30 PM", not "6:30 PM–8:30 PM" (a 24-hour format has no AM/PM to share)."""
    if start_time[-2:] == end_time[-2:] and start_time[-3:-2] == " ":
        start_time = start_time[:-3]
    return f"{start_time}–{end_time}"


def _show_year(*values: datetime, now: datetime | None) -> bool:
    this_year = (now or timezone.now()).astimezone(values[0].tzinfo).year
    return any(value.year != this_year for value in values)


def format_range(
    starts_at: datetime,
    ends_at: datetime,
    zone: ZoneInfo,
    reader: ZoneInfo | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """The group's time, and the reader's beside it when `reader` is a zone that differs."""
    start = starts_at.astimezone(zone)
    end = ends_at.astimezone(zone)
    year = _show_year(start, end, now=now)
    start_day = day(start, year=year)
    if start.date() == end.date():
        start_abbr, end_abbr = start.tzname(), end.tzname()
        if start_abbr != end_abbr:  # crosses a daylight-saving change within the day
            text = f"{start_day}{DOT}{clock(start)} {start_abbr} – {clock(end)} {end_abbr}"
        else:
            text = f"{start_day}{DOT}{_times(clock(start), clock(end))}"
    else:
        text = f"{start_day}{DOT}{clock(start)} – {day(end, year=year)}{DOT}{clock(end)}"
    theirs = reader_range(starts_at, ends_at, zone, reader, now=now) if reader is not None else ""
    return f"{text}{BESIDE}{theirs}" if theirs else text


def format_start(
    starts_at: datetime, zone: ZoneInfo, reader: ZoneInfo | None = None, *, now=None
) -> str:
    """One moment: "Tue, Jan 12 · 6:30 PM"."""
    start = starts_at.astimezone(zone)
    text = f"{day(start, now=now)}{DOT}{clock(start)}"
    theirs = reader_start(starts_at, zone, reader, now=now) if reader is not None else ""
    return f"{text}{BESIDE}{theirs}" if theirs else text


def new_year(zone: ZoneInfo, *, now: datetime | None = None) -> datetime:
    """The next January 1 in the zone: dates written without their year then need it."""
    year = (now or timezone.now()).astimezone(zone).year + 1
    return datetime(year, 1, 1, tzinfo=zone)


def format_date(value: datetime, zone: ZoneInfo, *, now: datetime | None = None) -> str:
    """A day alone: "Tue, Jan 12"."""
    return day(value.astimezone(zone), now=now)


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


# --- Relative time, for activity ---------------------------------------------------------------


def relative(value: datetime, zone: ZoneInfo, *, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "2 h ago", "yesterday", "3 days ago", then the date
    ("Tue, Jan 12"); a moment still to come is written in full."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < -60:
        return format_start(value, zone, now=now)
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        # Translators: activity a few minutes ago, e.g. "5 min ago" ("hace 5 min").
        return _("%(minutes)d min ago") % {"minutes": seconds // 60}
    if seconds < 24 * 3600:
        # Translators: activity a few hours ago, e.g. "2 h ago" ("hace 2 h").
        return _("%(hours)d h ago") % {"hours": seconds // 3600}
    days = (now.astimezone(zone).date() - value.astimezone(zone).date()).days
    if days <= 1:
        return _("yesterday")
    if days < RELATIVE_DAYS:
        return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}
    return format_date(value, zone, now=now)


def relative_until(value: datetime, zone: ZoneInfo, *, now: datetime | None = None):
    """The moment relative(value) next reads differently (None: it never will), so a cached
    page that shows it is kept no longer."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < -60:
        return value - timedelta(seconds=60)
    if seconds < 60:  # "just now", a moment a clock a little ahead wrote included
        return value + timedelta(seconds=60)
    if seconds < 3600:
        return now + timedelta(seconds=60 - seconds % 60)
    if seconds < 24 * 3600:
        return now + timedelta(seconds=3600 - seconds % 3600)
    local_now = now.astimezone(zone)
    midnight = datetime.combine(local_now.date() + timedelta(days=1), datetime.min.time())
    next_day = midnight.replace(tzinfo=zone)
    days = (local_now.date() - value.astimezone(zone).date()).days
    return next_day if days < RELATIVE_DAYS else None


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


def reader_range(
    starts_at: datetime, ends_at: datetime, zone: ZoneInfo, reader: ZoneInfo, *, now=None
) -> str:
    """ "1:30–3:30 AM in Madrid", with the reader's date when it is another day than the
    group's; "" when the reader's wall clock reads the same as the group's."""
    group_start, group_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    start, end = starts_at.astimezone(reader), ends_at.astimezone(reader)
    if _wall(start) == _wall(group_start) and _wall(end) == _wall(group_end):
        return ""
    year = _show_year(start, end, now=now)
    if start.date() == end.date():
        text = _times(clock(start), clock(end))
        if start.date() != group_start.date():
            text = f"{day(start, year=year)}, {text}"
    else:
        start_time = clock(start)
        if start.date() != group_start.date():
            start_time = f"{day(start, year=year)}, {start_time}"
        text = f"{start_time} – {day(end, year=year)}, {clock(end)}"
    return _in_place(text, reader)


def reader_start(value: datetime, zone: ZoneInfo, reader: ZoneInfo, *, now=None) -> str:
    """ "1:00 AM in Madrid" (with the date when it is another day), or "" as above."""
    group, theirs = value.astimezone(zone), value.astimezone(reader)
    if _wall(theirs) == _wall(group):
        return ""
    time = clock(theirs)
    if theirs.date() != group.date():
        time = f"{day(theirs, now=now)}, {time}"
    return _in_place(time, reader)
