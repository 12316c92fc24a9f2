"""Importing events from another calendar's iCalendar export (e.g. a meetup platform's feed).

Idempotent on UID: importing the same file again updates events, never duplicates them. The
whole file is one transaction: a malformed file imports nothing.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar

from core import outbound
from core.markdown import markdown_store
from groups.models import Group

from . import meetup
from .models import MAX_DURATION, Event, EventStatus, Venue
from .services import log_change
from .translation import in_main_language

MAX_BYTES = 10 * 1024 * 1024
DEFAULT_LENGTH = timedelta(hours=2)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(skipped)d skipped") % {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
        }


def read_source(source: str, *, allow_private: bool = False) -> bytes:
    """The bytes of a local file, or of an http(s) URL (at most 10 MB, 20 seconds; public
    addresses only unless `allow_private`)."""
    if source.startswith(("http://", "https://")):
        return outbound.fetch(source, max_bytes=MAX_BYTES, timeout=20, allow_private=allow_private)
    path = Path(source)
    if not path.is_file():
        raise ValidationError(_("There is no file at %(path)s.") % {"path": source})
    data = path.read_bytes()[: MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The calendar is larger than 10 MB."))
    return data


def _aware(value, zone, *, named=None) -> datetime:
    """An aware datetime; a wall-clock time whose TZID names an X-LIC-LOCATION zone is read in
    that IANA zone (`named`), whatever rules the file's VTIMEZONE carries."""
    if isinstance(value, datetime):
        if named is not None:
            return value.replace(tzinfo=named)
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):  # an all-day entry starts at midnight in the group's zone
        return datetime.combine(value, time.min, tzinfo=zone)
    raise ValueError(value)


def _text(component, name: str) -> str:
    value = component.get(name)
    return str(value).strip() if value is not None else ""


ONLINE_WORDS = {"online", "online event", "virtual", "zoom"}


def venue_name(location: str) -> str:
    """The venue's name in LOCATION text, or "" for none (online)."""
    if not location or location.strip().lower() in ONLINE_WORDS:
        return ""
    name, _address, _city = meetup.split_location(location)
    return name[:200] or location.strip()[:200]


def _venue(location: str) -> Venue | None:
    """A venue from LOCATION text: "Name (street, city, ST, country)", "Name (address)" or
    "Name, address"."""
    name = venue_name(location)
    if not name:
        return None
    _name, address, city = meetup.split_location(location)
    # Venues are unique by name, capital letters aside: a known name is that venue.
    venue = Venue.objects.filter(name__iexact=name).order_by("created_at", "pk").first()
    if venue is None:
        venue = Venue.objects.create(name=name, address=(address or name)[:300], city=city[:120])
    return venue


def _unique_slug(title: str, starts_at: datetime) -> str:
    base = slugify(f"{title[:60]}-{starts_at.date().isoformat()}") or "event"
    slug, n = base, 2
    while Event.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _parse(data: bytes, zone) -> list[dict]:
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise ValidationError(
            _("This is not a valid iCalendar file: %(error)s") % {"error": error}
        ) from error
    if calendar.name != "VCALENDAR":
        raise ValidationError(_("This is not an iCalendar file (no VCALENDAR)."))
    named_zones = meetup.zones(calendar)
    from_meetup = meetup.is_meetup(calendar)
    group_name = meetup.group_name(calendar)
    entries = []
    for number, vevent in enumerate(calendar.walk("VEVENT"), start=1):
        uid = _text(vevent, "uid")
        where = _("event %(number)d (%(uid)s)") % {"number": number, "uid": uid or "no UID"}
        if not uid:
            raise ValidationError(_("%(where)s has no UID.") % {"where": where})
        try:
            starts_at = _aware(
                vevent.decoded("dtstart"), zone, named=_named(vevent, "dtstart", named_zones)
            )
            if "dtend" in vevent:
                ends_at = _aware(
                    vevent.decoded("dtend"), zone, named=_named(vevent, "dtend", named_zones)
                )
            elif "duration" in vevent:
                ends_at = starts_at + vevent.decoded("duration")
            else:
                ends_at = starts_at + DEFAULT_LENGTH
        except (KeyError, ValueError, TypeError) as error:
            raise ValidationError(
                _("%(where)s has an unreadable start or end: %(error)s")
                % {"where": where, "error": error}
            ) from error
        if ends_at <= starts_at:
            raise ValidationError(_("%(where)s ends before it starts.") % {"where": where})
        if ends_at - starts_at > MAX_DURATION:
            raise ValidationError(_("%(where)s lasts more than 14 days.") % {"where": where})
        status = (
            EventStatus.CANCELLED
            if _text(vevent, "status").upper() == "CANCELLED"
            else EventStatus.PUBLISHED
        )
        url = _text(vevent, "url")[:500]
        description = _text(vevent, "description")
        if from_meetup:
            description = meetup.clean_description(description, group=group_name, url=url)
        entries.append(
            {
                "uid": uid[:255],
                "title": (_text(vevent, "summary") or _("Untitled event"))[:200],
                "description": description,
                "location": _text(vevent, "location"),
                "source_url": url,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "status": status,
            }
        )
    return entries


def _named(vevent, name: str, named_zones: dict):
    prop = vevent.get(name)
    tzid = prop.params.get("TZID") if prop is not None and hasattr(prop, "params") else None
    return named_zones.get(str(tzid).strip('"')) if tzid else None


@in_main_language
def events_import_ics(*, data: bytes, group: Group, by=None) -> ImportResult:
    """Creates or updates the group's events from an iCalendar file, all or nothing.

    Upcoming events it publishes, cancels or changes are in the transparency log, as the
    organizer's doing; past ones are the group's history brought over, not news."""
    entries = _parse(data, group.zone)
    result = ImportResult()
    now = timezone.now()
    with transaction.atomic():
        for entry in entries:
            venue = _venue(entry["location"])
            event = Event.objects.select_for_update().filter(import_uid=entry["uid"]).first()
            fields = {
                "title": entry["title"],
                "description": entry["description"],
                "starts_at": entry["starts_at"],
                "ends_at": entry["ends_at"],
                "venue": venue,
                "status": entry["status"],
                "source_url": entry["source_url"],
            }
            if event is None:
                event = Event(
                    group=group,
                    import_uid=entry["uid"],
                    slug=_unique_slug(entry["title"], entry["starts_at"]),
                    # Announced where it came from: imports never announce, now or later.
                    announced_at=timezone.now(),
                    **fields,
                )
                markdown_store(event)
                event.full_clean()
                event.save()
                if event.ends_at > now:
                    log_change(event, before=None, fields=set(fields), by=by)
                result.created += 1
                continue
            changed = [name for name, value in fields.items() if getattr(event, name) != value]
            if not changed:
                result.skipped += 1
                continue
            before = event.status
            for name in changed:
                setattr(event, name, fields[name])
            if set(changed) & set(Event.SEQUENCE_FIELDS):
                event.sequence += 1
            markdown_store(event)
            event.full_clean()
            event.save()
            if event.ends_at > now:
                log_change(event, before=before, fields=set(changed), by=by)
            result.updated += 1
    return result


@dataclass
class PlannedEvent:
    """One event of a file, as an import would treat it (the preview before the confirm)."""

    uid: str
    title: str
    starts_at: datetime
    venue: str
    status: str
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)


PREVIEW_FIELDS = ("title", "description", "starts_at", "ends_at", "status", "source_url")


def events_import_preview(*, data: bytes, group: Group) -> list[PlannedEvent]:
    """What importing `data` would create and update, writing nothing (ValidationError as the
    import would raise it)."""
    entries = _parse(data, group.zone)
    existing = {
        event.import_uid: event
        for event in Event.objects.filter(
            import_uid__in=[entry["uid"] for entry in entries]
        ).select_related("venue")
    }
    planned = []
    for entry in entries:
        event = existing.get(entry["uid"])
        venue = venue_name(entry["location"])
        if event is None:
            action, changes = "create", []
        else:
            changes = [
                str(Event._meta.get_field(name).verbose_name)
                for name in PREVIEW_FIELDS
                if getattr(event, name) != entry[name]
            ]
            if (event.venue.name if event.venue else "").lower() != venue.lower():
                changes.append(str(Event._meta.get_field("venue").verbose_name))
            action = "update" if changes else "unchanged"
        planned.append(
            PlannedEvent(
                uid=entry["uid"],
                title=entry["title"],
                starts_at=entry["starts_at"],
                venue=venue,
                status=entry["status"],
                action=action,
                changes=changes,
            )
        )
    return planned


PENDING_SECONDS = 3600


def _pending_key(token: str, user) -> str:
    return f"events:import:{user.pk}:{token}"


def pending_store(data: bytes, *, user) -> str:
    """Keeps a previewed file for its confirm step (an hour, for this organizer only)."""
    token = secrets.token_urlsafe(24)
    cache.set(_pending_key(token, user), data, PENDING_SECONDS)
    return token


def pending_load(token: str, *, user) -> bytes | None:
    if not token or len(token) > 64:
        return None
    key = _pending_key(token, user)
    data = cache.get(key)
    cache.delete(key)
    return data
