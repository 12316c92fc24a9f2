"""Writes to events that span rows: each is one transaction."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.text import slugify

from .models import AgendaItem, Event, EventStatus, Recurrence


def event_save(*, event: Event, by, changed_fields: list[str] | tuple[str, ...] = ()) -> Event:
    """Validates and saves an event, raising its sequence when time, place or status changed."""
    with transaction.atomic():
        if event.pk is None:
            event.created_by = by
        elif set(changed_fields) & set(Event.SEQUENCE_FIELDS):
            event.sequence += 1
        event.updated_by = by
        event.full_clean()
        event.save()
    return event


def event_set_status(*, event: Event, status: EventStatus, by) -> Event:
    """Publishes, cancels or returns an event to draft (a calendar-visible change)."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status == status:
            return locked
        locked.status = status
        locked.sequence += 1
        locked.updated_by = by
        locked.save(update_fields=["status", "sequence", "updated_by", "updated_at"])
    return locked


def next_date(starts_at: datetime, recurrence: str, zone) -> datetime:
    """The next occurrence at the same wall-clock time in the group's zone (DST-safe)."""
    local = starts_at.astimezone(zone).replace(tzinfo=None)
    if recurrence == Recurrence.WEEKLY:
        nxt = local + timedelta(weeks=1)
    elif recurrence == Recurrence.BIWEEKLY:
        nxt = local + timedelta(weeks=2)
    elif recurrence == Recurrence.MONTHLY_DAY:
        nxt = local + relativedelta(months=1)
    else:
        # Same weekday and week of the month; a fifth weekday falls back to the last one.
        nth = (local.day - 1) // 7 + 1
        first_of_next = (local + relativedelta(months=1)).replace(day=1)
        weekday = relativedelta(weekday=local.weekday())
        candidate = first_of_next + weekday + timedelta(weeks=nth - 1)
        if candidate.month != first_of_next.month:
            candidate -= timedelta(weeks=1)
        nxt = candidate
    return nxt.replace(tzinfo=zone)


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    while Event.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def event_duplicate_to_next(*, event: Event, by) -> Event:
    """Copies an event and its program to its series' next date, as a draft."""
    if event.series_id is None:
        raise ValueError("Only an event in a series can be duplicated into its next date.")
    zone = event.group.zone
    with transaction.atomic():
        starts_at = next_date(event.starts_at, event.series.recurrence, zone)
        local_end = event.ends_at.astimezone(zone).replace(tzinfo=None)
        local_start = event.starts_at.astimezone(zone).replace(tzinfo=None)
        ends_at = (starts_at.replace(tzinfo=None) + (local_end - local_start)).replace(tzinfo=zone)
        date_slug = starts_at.date().isoformat()
        base = slugify(f"{event.series.slug}-{date_slug}") or f"event-{date_slug}"
        copy = Event(
            group=event.group,
            title=event.title,
            slug=_unique_slug(base),
            summary=event.summary,
            description=event.description,
            status=EventStatus.DRAFT,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=event.venue or event.series.default_venue,
            is_online=event.is_online,
            online_url=event.online_url,
            capacity=event.capacity,
            series=event.series,
            created_by=by,
            updated_by=by,
        )
        copy.full_clean()
        copy.save()
        copy.hosts.set(event.hosts.all())
        AgendaItem.objects.bulk_create(
            AgendaItem(
                event=copy,
                time=item.time,
                title=item.title,
                kind=item.kind,
                description=item.description,
                order=item.order,
            )
            for item in event.agenda_items.all()
        )
    return copy
