"""What a Meetup group's iCalendar feed looks like, read back into plain fields.

Meetup's export (PRODID `-//Meetup//RemoteApi//EN`) names its zone with a VTIMEZONE whose
`X-LIC-LOCATION` is the IANA zone; gives each event a UID `event_<id>@meetup.com`; writes
DESCRIPTION as "<group name>\\n<weekday, month day at time>\\n\\n<text>\\n\\n<event URL>"; and
LOCATION as "Venue name (street, city, ST, country)".
"""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UID_PATTERN = re.compile(r"^event_(?P<id>[0-9A-Za-z]+)@meetup\.com$")
# "Tuesday, March 10 at 6:30 PM" — the line Meetup puts under the group's name.
WHEN_LINE = re.compile(r"^[A-Z][a-z]+, [A-Z][a-z]+ \d{1,2} at \d{1,2}:\d{2}\s?[AP]M$")
COUNTRY = re.compile(r"^[a-z]{2}$")


def meetup_id(uid: str) -> str:
    """The Meetup event id in a UID such as `event_301000001@meetup.com`, or ""."""
    match = UID_PATTERN.match(uid.strip())
    return match["id"] if match else ""


def is_meetup(calendar) -> bool:
    """Meetup's own export (PRODID `-//Meetup//RemoteApi//EN`), not any calendar named so."""
    return str(calendar.get("prodid", "")).lower().startswith("-//meetup//")


def zones(calendar) -> dict[str, ZoneInfo]:
    """TZID → the IANA zone its VTIMEZONE names in X-LIC-LOCATION (when there is one we know).

    The IANA rules win over the VTIMEZONE's own STANDARD/DAYLIGHT blocks, which a feed may carry
    stale, and over a TZID that is no IANA name at all ("Eastern Standard Time")."""
    found = {}
    for component in calendar.walk("VTIMEZONE"):
        tzid = str(component.get("tzid", "")).strip()
        location = str(component.get("x-lic-location", "")).strip()
        if not (tzid and location):
            continue
        try:
            found[tzid] = ZoneInfo(location)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return found


def group_name(calendar) -> str:
    """Meetup's X-WR-CALNAME is "Events - <group name>"."""
    name = str(calendar.get("x-wr-calname", "")).strip()
    return name.removeprefix("Events - ").strip()


def clean_description(text: str, *, group: str, url: str) -> str:
    """The event's own text: without the group's name, the date line and the trailing URL that
    Meetup adds around it (the URL is kept as the event's original page)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and group and lines[0].strip() == group:
        lines = lines[1:]
    if lines and WHEN_LINE.match(lines[0].strip()):
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and url and lines[-1].strip().rstrip("/") == url.rstrip("/"):
        lines.pop()
    return "\n".join(lines).strip()


def split_location(location: str) -> tuple[str, str, str]:
    """(name, address, city) from "Venue name (street, city, ST, country)" — or from the
    shorter shapes other calendars write ("Name (address)", "Name, address")."""
    location = location.strip()
    if location.endswith(")") and "(" in location:
        name, _sep, address = location[:-1].partition("(")
    else:
        name, _sep, address = location.partition(",")
    name, address = name.strip(), address.strip()
    parts = [part.strip() for part in address.split(",") if part.strip()]
    city = ""
    if len(parts) >= 4 and COUNTRY.match(parts[-1]):  # street, city, ST, country
        parts = parts[:-1]
    if len(parts) >= 3 and re.fullmatch(r"[A-Z]{2}", parts[-1]):  # ..., city, ST
        city = parts[-2]
    return name, ", ".join(parts), city
