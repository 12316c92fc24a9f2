"""Writes to events that span rows: saving, publishing, cancelling, messaging, venues."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import generations
from core.emails.outbox import emails_recipients
from core.markdown import markdown_store
from groups.models import LogKind, Membership
from groups.services import log_record

from .. import hooks
from ..emails import EventEmail, attendees, notify
from ..models import (
    Event,
    EventStatus,
    RSVPStatus,
    Series,
    Venue,
)
from .follows import series_followers

# What members going or waitlisted hear about: a new time, place or online link.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "is_online", "online_url")


def _what_changed(fields: set[str]) -> list[str]:
    """What the "changed" email lists: "time", "place", "online". The email writes each line
    in the reader's language and time zone (templates/emails/changed.*)."""
    aspects = {
        "time": {"starts_at", "ends_at"},
        "place": {"venue"},
        "online": {"is_online", "online_url"},
    }
    return [aspect for aspect, names in aspects.items() if fields & names]


def _announce_once(event: Event, *, before: str | None, by) -> bool:
    """Tells the group about an event when it becomes published (created so, or from draft
    or cancelled) the first time, never again.

    Runs inside the caller's transaction: the row lock makes a concurrent publish wait here
    and then see announced_at set.
    """
    if before == EventStatus.PUBLISHED or event.status != EventStatus.PUBLISHED:
        return False
    locked = Event.objects.select_for_update().only("status", "announced_at").get(pk=event.pk)
    if locked.status != EventStatus.PUBLISHED or locked.announced_at is not None:
        return False
    event.announced_at = timezone.now()
    generations.update(Event.objects.filter(pk=event.pk), announced_at=event.announced_at)
    notify(kind=EventEmail.ANNOUNCEMENT, user_ids=_announced_to(event, by=by), event=event)
    if event.series_id is not None:
        notify(kind=EventEmail.SERIES_DATE, user_ids=_series_followers(event, by=by), event=event)
    return True


def _series_followers(event: Event, *, by):
    if event.series_id is None:
        return Membership.objects.none().values_list("user_id", flat=True)
    return series_followers(series_id=event.series_id, group_id=event.group_id, exclude=by)


def _announced_to(event: Event, *, by):
    """The members a new event is announced to: the group's active members, but the one
    publishing it and those who hear of it as followers of its series (one email each)."""
    members = Membership.objects.active().filter(group_id=event.group_id).exclude(user=by)
    if event.series_id is not None:
        members = members.exclude(user__in=_series_followers(event, by=by))
    return members.values_list("user_id", flat=True)


def event_publish_audience(*, event: Event, by) -> int:
    """How many members publishing this event would email (0 once it was announced): the
    same recipients and preferences as the announcement itself."""
    if event.announced_at is not None:
        return 0
    announced = emails_recipients(
        kind=EventEmail.ANNOUNCEMENT, user_ids=_announced_to(event, by=by)
    )
    if event.series_id is None:
        return announced.count()
    followers = emails_recipients(
        kind=EventEmail.SERIES_DATE, user_ids=_series_followers(event, by=by)
    )
    return announced.count() + followers.count()


def event_cancel_audience(*, event: Event, by) -> int:
    """How many people going or waitlisted cancelling this event would tell (its email)."""
    return emails_recipients(
        kind=EventEmail.CANCELLED, user_ids=attendees(event, exclude=by)
    ).count()


def _announce_changes(event: Event, *, before: str | None, fields: set[str], by) -> None:
    """The emails an event change sends, queued for after the commit."""
    if _announce_once(event, before=before, by=by):
        return
    if before is None:
        return  # a new event: nobody is going or waiting yet
    if before != EventStatus.CANCELLED and event.status == EventStatus.CANCELLED:
        notify(
            kind=EventEmail.CANCELLED,
            user_ids=attendees(event, exclude=by),
            event=event,
        )
    elif event.status == EventStatus.PUBLISHED and fields & set(NOTIFIED_FIELDS):
        notify(
            kind=EventEmail.CHANGED,
            user_ids=attendees(event, exclude=by),
            event=event,
            extra={"changed": _what_changed(fields)},
        )


# Fields whose change is not the members' business (bookkeeping, or set by Potluck itself).
UNLOGGED_FIELDS = frozenset({"status", "sequence", "updated_by", "updated_at", "created_by"})

STATUS_LOG = {
    EventStatus.PUBLISHED: LogKind.EVENT_PUBLISHED,
    EventStatus.CANCELLED: LogKind.EVENT_CANCELLED,
    EventStatus.DRAFT: LogKind.EVENT_UNPUBLISHED,
}


def log_change(event: Event, *, before: str | None, fields: set[str], by) -> None:
    """The transparency log's line for a change members can see: published, cancelled, back
    to draft, or a published event changed (which fields, by name). A draft's changes, and a
    draft cancelled before anyone saw it, are nobody's business yet. `before` is the status
    before the change, None for a new event."""
    status = EventStatus(event.status)
    if before != status:
        seen = EventStatus.PUBLISHED in (before, status) or (
            before == EventStatus.CANCELLED and status == EventStatus.DRAFT
        )
        if seen:
            log_record(
                group=event.group_id,
                kind=STATUS_LOG[status],
                by=by,
                title=event.title,
                url=event.get_absolute_url(),
            )
        return
    changed = sorted(set(fields) - UNLOGGED_FIELDS)
    if status == EventStatus.PUBLISHED and changed:
        log_record(
            group=event.group_id,
            kind=LogKind.EVENT_CHANGED,
            by=by,
            title=event.title,
            url=event.get_absolute_url(),
            detail=",".join(changed),
        )


def public_change(*, before: str | None, status: str, fields: set[str]) -> str | None:
    """What visitors see of a change (events.hooks.event_changed): "published", "changed",
    "cancelled", or None (a draft's edits, a draft cancelled before anyone saw it, a public
    event back to draft)."""
    if status == EventStatus.PUBLISHED and before != EventStatus.PUBLISHED:
        return "published"
    if status == EventStatus.CANCELLED and before == EventStatus.PUBLISHED:
        return "cancelled"
    if status == before == EventStatus.PUBLISHED and set(fields) - UNLOGGED_FIELDS:
        return "changed"
    return None


def _tell_hooks(event_id: int, *, before: str | None, status: str, fields: set[str]) -> None:
    """The apps above hear of the change inside its transaction (events.hooks.event_changed):
    what they queue (deliveries) commits or rolls back with it."""
    change = public_change(before=before, status=status, fields=fields)
    for react in hooks.event_changed:
        react(event_id=event_id, before=before, change=change)


def event_save(*, event: Event, by, changed_fields: list[str] | tuple[str, ...] = ()) -> Event:
    """Validates and saves an event, raising its sequence when time, place or status changed."""
    with transaction.atomic():
        before = None
        if event.pk is None:
            event.created_by = by
            event.announced_at = None
        else:
            stored = Event.objects.select_for_update().filter(pk=event.pk)
            before, event.announced_at = stored.values_list("status", "announced_at").first()
            if set(changed_fields) & set(Event.SEQUENCE_FIELDS):
                event.sequence += 1
        event.updated_by = by
        markdown_store(event)
        event.full_clean()
        event.save()
        _announce_changes(event, before=before, fields=set(changed_fields), by=by)
        log_change(event, before=before, fields=set(changed_fields), by=by)
        _tell_hooks(event.pk, before=before, status=event.status, fields=set(changed_fields))
    return event


def event_set_status(*, event: Event, status: EventStatus, by) -> Event:
    """Publishes, cancels or returns an event to draft (a calendar-visible change)."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status == status:
            return locked
        before = locked.status
        locked.status = status
        locked.sequence += 1
        locked.updated_by = by
        locked.save(update_fields=["status", "sequence", "updated_by", "updated_at"])
        _announce_changes(locked, before=before, fields=set(), by=by)
        log_change(locked, before=before, fields=set(), by=by)
        _tell_hooks(locked.pk, before=before, status=locked.status, fields=set())
    return locked


def event_message(*, event: Event, subject: str, body: str, by) -> int:
    """An organizer's message to everyone going; returns how many members it is queued for."""
    ids = list(attendees(event, statuses=(RSVPStatus.GOING,), exclude=None))
    notify(
        kind=EventEmail.MESSAGE,
        user_ids=ids,
        event=event,
        extra={"subject": subject, "body": body, "sender": by.display_name if by else ""},
    )
    return len(ids)


VENUE_PLACE_FIELDS = ("name", "address", "city", "latitude", "longitude")


def venue_save(*, venue: Venue, changed_fields: list[str] | tuple[str, ...] = ()) -> Venue:
    """Saves a venue; a new address raises the sequence of its upcoming events."""
    with transaction.atomic():
        venue.full_clean()
        venue.save()
        # The admin names a translated field's columns (name_en, name_es): each is the field.
        changed = {
            getattr(field, "translated_field", field).name
            for field in (Venue._meta.get_field(name) for name in changed_fields)
        }
        if venue.pk and changed & set(VENUE_PLACE_FIELDS):
            upcoming = dict(
                Event.objects.filter(venue=venue).upcoming().values_list("pk", "status")
            )
            generations.update(
                Event.objects.filter(pk__in=list(upcoming)),
                sequence=F("sequence") + 1,
                updated_at=timezone.now(),
            )
            for event_id, status in upcoming.items():  # a new place for each of them
                _tell_hooks(event_id, before=status, status=status, fields={"venue"})
    return venue


def venues_merge(*, keep: Venue, duplicates) -> int:
    """Folds duplicate venues into `keep`: their events and series move to it, then they are
    deleted. Upcoming events that moved get a new sequence, as after a new address. Returns
    how many events moved."""
    with transaction.atomic():
        others = Venue.objects.filter(pk__in=[venue.pk for venue in duplicates]).exclude(pk=keep.pk)
        moved = list(Event.objects.filter(venue__in=others).values_list("pk", flat=True))
        upcoming = Event.objects.filter(pk__in=moved).upcoming()
        generations.update(
            Event.objects.filter(pk__in=upcoming.values("pk")), sequence=F("sequence") + 1
        )
        generations.update(
            Event.objects.filter(pk__in=moved), venue=keep, updated_at=timezone.now()
        )
        generations.update(Series.objects.filter(default_venue__in=others), default_venue=keep)
        others.delete()
    return len(moved)
