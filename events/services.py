"""Writes to events that span rows: each is one transaction."""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.imagefiles import SIBLINGS, sibling
from groups.markdown import markdown_store
from groups.models import Group, Membership

from . import notifications, timefmt
from .calendar_cache import calendar_changed
from .models import (
    RSVP,
    AgendaItem,
    Breakout,
    EmailKind,
    Event,
    EventSpeaker,
    EventStatus,
    Recurrence,
    RSVPStatus,
    Venue,
)

# What members going or waitlisted hear about: a new time, place or online link.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "is_online", "online_url")


def _what_changed(event: Event, fields: set[str]) -> list[str]:
    zone = event.group.zone
    notes = []
    if fields & {"starts_at", "ends_at"}:
        when = timefmt.format_range(event.starts_at, event.ends_at, zone)
        notes.append(_("New time: %(when)s") % {"when": when})
    if "venue" in fields:
        place = event.venue.name if event.venue_id else _("no venue (see the event page)")
        notes.append(_("New place: %(place)s") % {"place": place})
    if fields & {"is_online", "online_url"}:
        notes.append(_("The online link has changed."))
    return notes


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
    Event.objects.filter(pk=event.pk).update(announced_at=event.announced_at)
    members = Membership.objects.filter(group_id=event.group_id).exclude(user=by)
    notifications.notify(
        kind=EmailKind.ANNOUNCEMENT,
        user_ids=members.values_list("user_id", flat=True),
        event=event,
    )
    return True


def _announce_changes(event: Event, *, before: str | None, fields: set[str], by) -> None:
    """The emails an event change sends, queued for after the commit."""
    if _announce_once(event, before=before, by=by):
        return
    if before is None:
        return  # a new event: nobody is going or waiting yet
    if before != EventStatus.CANCELLED and event.status == EventStatus.CANCELLED:
        notifications.notify(
            kind=EmailKind.CANCELLED, user_ids=notifications.attendees(event, exclude=by),
            event=event,
        )  # fmt: skip
    elif event.status == EventStatus.PUBLISHED and fields & set(NOTIFIED_FIELDS):
        notifications.notify(
            kind=EmailKind.CHANGED,
            user_ids=notifications.attendees(event, exclude=by),
            event=event,
            extra={"changes": _what_changed(event, fields)},
        )


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
        calendar_changed()
        _announce_changes(event, before=before, fields=set(changed_fields), by=by)
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
        calendar_changed()
        _announce_changes(locked, before=before, fields=set(), by=by)
    return locked


def event_message(*, event: Event, subject: str, body: str, by) -> int:
    """An organizer's message to everyone going; returns how many members it is queued for."""
    ids = list(notifications.attendees(event, statuses=(RSVPStatus.GOING,), exclude=None))
    notifications.notify(
        kind=EmailKind.MESSAGE,
        user_ids=ids,
        event=event,
        extra={"subject": subject, "body": body, "sender": by.display_name if by else ""},
    )
    return len(ids)


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


# Changing these moves the events held at the venue, in calendar terms.
VENUE_PLACE_FIELDS = ("name", "address", "city", "latitude", "longitude")


def venue_save(*, venue: Venue, changed_fields: list[str] | tuple[str, ...] = ()) -> Venue:
    """Saves a venue; a new address raises the sequence of its upcoming events."""
    with transaction.atomic():
        venue.full_clean()
        venue.save()
        if venue.pk and set(changed_fields) & set(VENUE_PLACE_FIELDS):
            Event.objects.filter(
                pk__in=Event.objects.filter(venue=venue).upcoming().values("pk")
            ).update(sequence=F("sequence") + 1, updated_at=timezone.now())
        calendar_changed()
    return venue


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    while Event.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# What a copy of an event does not take over: its identity, state and record. Every other
# field (and any field added later) is copied; the RSVP window moves with the start.
NOT_COPIED = frozenset(
    {"id", "slug", "status", "starts_at", "ends_at", "rsvp_opens_at", "rsvp_closes_at",
     "sequence", "waitlist_counter", "announced_at", "import_uid", "source_url", "cover_image",
     "created_at", "updated_at", "created_by", "updated_by"}
)  # fmt: skip


def _local(moment: datetime, zone) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _copy_image(fieldfile) -> str:
    """A stored image copied under a new name (JPEG, WebP and their smaller renditions), so
    either event can drop it."""
    if not fieldfile:
        return ""
    storage = fieldfile.storage
    with storage.open(fieldfile.name) as original:
        name = storage.save(fieldfile.name, original)
    for ext, width in SIBLINGS:
        stored = sibling(fieldfile.name, ext, width)
        if storage.exists(stored):
            with storage.open(stored) as original:
                storage.save(sibling(name, ext, width), original)
    return name


def event_duplicate(*, event: Event, starts_at: datetime, by) -> Event:
    """Copies an event with its settings, hosts, speakers, program and breakout topics to a new
    start, as a draft; times of day in the program move with the start's wall-clock time."""
    zone = event.group.zone
    with transaction.atomic():
        shift = starts_at - event.starts_at
        local_shift = _local(starts_at, zone) - _local(event.starts_at, zone)
        local_end = _local(event.ends_at, zone) + local_shift
        copy = Event(
            **{
                field.attname: getattr(event, field.attname)
                for field in Event._meta.concrete_fields
                if field.name not in NOT_COPIED
            }
        )
        copy.status = EventStatus.DRAFT
        if copy.venue_id is None and event.series_id:
            copy.venue_id = event.series.default_venue_id
        copy.starts_at = starts_at
        copy.ends_at = local_end.replace(tzinfo=zone)
        copy.rsvp_opens_at = event.rsvp_opens_at and event.rsvp_opens_at + shift
        copy.rsvp_closes_at = event.rsvp_closes_at and event.rsvp_closes_at + shift
        date_slug = starts_at.astimezone(zone).date().isoformat()
        stem = event.series.slug if event.series_id else slugify(event.title)[:150]
        copy.slug = _unique_slug(slugify(f"{stem}-{date_slug}") or f"event-{date_slug}")
        copy.cover_image = _copy_image(event.cover_image)
        copy.created_by = copy.updated_by = by
        markdown_store(copy)
        copy.full_clean()
        copy.save()
        copy.hosts.set(event.hosts.all())
        EventSpeaker.objects.bulk_create(
            EventSpeaker(event=copy, speaker_id=s.speaker_id, role=s.role, order=s.order)
            for s in event.event_speakers.all()
        )
        day = _local(event.starts_at, zone).date()
        AgendaItem.objects.bulk_create(
            AgendaItem(
                event=copy,
                time=item.time and (datetime.combine(day, item.time) + local_shift).time(),
                title=item.title,
                kind=item.kind,
                description=item.description,
                order=item.order,
            )
            for item in event.agenda_items.all()
        )
        # The topics and who leads them; notes are what the old discussion came to, not copied.
        Breakout.objects.bulk_create(
            Breakout(
                event=copy,
                topic=b.topic,
                prompt=b.prompt,
                facilitator_id=b.facilitator_id,
                facilitator_name=b.facilitator_name,
                capacity=b.capacity,
                order=b.order,
            )
            for b in event.breakouts.all()
        )
        calendar_changed()
    return copy


def next_start(event: Event) -> datetime:
    """The series' next date, or a week later for an event outside a series."""
    recurrence = event.series.recurrence if event.series_id else Recurrence.WEEKLY
    return next_date(event.starts_at, recurrence, event.group.zone)


def event_duplicate_to_next(*, event: Event, by) -> Event:
    """Copies an event to its next date (see next_start) as a draft."""
    return event_duplicate(event=event, starts_at=next_start(event), by=by)


# --- RSVPs ---------------------------------------------------------------------------------
#
# Every function below locks the event row first (select_for_update), so writes to one
# event's seats happen one at a time; promotions happen in the same transaction as the
# change that freed the seats. After each of them: seats taken <= capacity, and no
# waitlisted party fits into the free seats.

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RSVPChange:
    """One member's new state, for the emails a later step sends after commit."""

    rsvp_id: int
    status: str
    reason: str  # "answered", "promoted", "cancelled", "guests", "breakout", "checked_in"


RSVP_EMAILS = {
    ("answered", RSVPStatus.GOING): EmailKind.CONFIRMATION,
    ("answered", RSVPStatus.WAITLISTED): EmailKind.WAITLISTED,
    ("promoted", RSVPStatus.GOING): EmailKind.PROMOTED,
}


def rsvp_changes_committed(changes: list[RSVPChange]) -> None:
    """Runs after the transaction commits: the one place notifications about RSVPs start."""
    rsvps = RSVP.objects.select_related("event__group").in_bulk([c.rsvp_id for c in changes])
    for change in changes:
        logger.info("rsvp %s is now %s (%s)", change.rsvp_id, change.status, change.reason)
        kind = RSVP_EMAILS.get((change.reason, change.status))
        rsvp = rsvps.get(change.rsvp_id)
        if kind and rsvp is not None and rsvp.member_id:
            notifications.notify(kind=kind, user_ids=[rsvp.member_id], event=rsvp.event)


def _after_commit(changes: list[RSVPChange]) -> None:
    if changes:
        calendar_changed(personal_only=True)  # personal feeds show going / tentative
        transaction.on_commit(partial(rsvp_changes_committed, list(changes)))


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def seats_taken(event: Event) -> int:
    """Members going plus their guests."""
    return RSVP.objects.filter(event=event, status=RSVPStatus.GOING).aggregate(
        taken=Coalesce(Sum(F("guests") + 1), 0)
    )["taken"]


def _free_seats(event: Event) -> float:
    if event.capacity is None:
        return math.inf
    return event.capacity - seats_taken(event)


def _promote_waitlist(event: Event) -> list[RSVPChange]:
    """Promotes, in order of joining, every waitlisted party that fits whole."""
    free = _free_seats(event)
    changes = []
    for rsvp in RSVP.objects.select_for_update().filter(event=event).waitlisted():
        if free <= 0:
            break
        if rsvp.party_size <= free:
            rsvp.status = RSVPStatus.GOING
            rsvp.waitlist_seq = None
            rsvp.waitlisted_at = None
            rsvp.save(update_fields=["status", "waitlist_seq", "waitlisted_at", "updated_at"])
            free -= rsvp.party_size
            changes.append(RSVPChange(rsvp.pk, rsvp.status, "promoted"))
    return changes


def _join_waitlist(event: Event, rsvp: RSVP) -> None:
    event.waitlist_counter += 1
    event.save(update_fields=["waitlist_counter"])
    rsvp.status = RSVPStatus.WAITLISTED
    rsvp.waitlist_seq = event.waitlist_counter
    rsvp.waitlisted_at = timezone.now()


def _check_open(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled."), code="cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("This event is not open for RSVPs."), code="not_published")
    if event.is_past():
        raise ValidationError(_("This event has ended."), code="ended")
    if not event.rsvp_is_open():
        raise ValidationError(_("RSVPs for this event are closed."), code="closed")


def rsvp_set(*, event: Event, member, going: bool, guests: int = 0, answer: str = "") -> RSVP:
    """Answers going or not going; a party that does not fit joins the waitlist."""
    if not going:
        return rsvp_cancel(event=event, member=member)
    with transaction.atomic():
        event = _lock_event(event)
        _check_open(event)
        if guests < 0 or guests > event.max_guests:
            raise ValidationError(
                ngettext(
                    "You can bring at most %(max)d guest to this event.",
                    "You can bring at most %(max)d guests to this event.",
                    event.max_guests,
                )
                % {"max": event.max_guests},
                code="too_many_guests",
            )
        Membership.objects.get_or_create(group_id=event.group_id, user=member)
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        changes = []
        if rsvp is not None and rsvp.status == RSVPStatus.GOING:
            extra = guests - rsvp.guests
            free = _free_seats(event)
            if extra > 0 and extra > free:
                free_seats = max(int(free), 0)
                raise ValidationError(
                    ngettext(
                        "There is no seat for %(extra)d more guest: %(free)s free.",
                        "There are no seats for %(extra)d more guests: %(free)s free.",
                        extra,
                    )
                    % {"extra": extra, "free": free_seats},
                    code="no_seats_for_guests",
                )
            rsvp.guests = guests
            rsvp.answer = answer
            rsvp.save(update_fields=["guests", "answer", "updated_at"])
            if extra:
                changes.append(RSVPChange(rsvp.pk, rsvp.status, "guests"))
        else:
            if rsvp is None:
                rsvp = RSVP(event=event, member=member)
            rsvp.guests = guests
            rsvp.answer = answer
            if rsvp.status != RSVPStatus.WAITLISTED:
                # Everyone joins the end of the line; the line is then served in order, so a
                # newcomer only gets a seat that nobody ahead of them fits into.
                _join_waitlist(event, rsvp)
                rsvp.breakout = None
                rsvp.checked_in_at = None
            rsvp.save()
            changes.append(RSVPChange(rsvp.pk, rsvp.status, "answered"))
        promoted = _promote_waitlist(event)
        rsvp.refresh_from_db()
        if any(change.rsvp_id == rsvp.pk for change in promoted):
            # Seated straight away: one "answered" change with the final status.
            changes = [RSVPChange(rsvp.pk, rsvp.status, "answered")]
            promoted = [change for change in promoted if change.rsvp_id != rsvp.pk]
        changes += promoted
        _after_commit(changes)
    return rsvp


def rsvp_cancel(*, event: Event, member) -> RSVP:
    """Not going (any more): frees the seats, and the waitlist moves up."""
    with transaction.atomic():
        event = _lock_event(event)
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        if rsvp is None:
            _check_open(event)
            Membership.objects.get_or_create(group_id=event.group_id, user=member)
            rsvp = RSVP.objects.create(event=event, member=member, status=RSVPStatus.NOT_GOING)
            _after_commit([RSVPChange(rsvp.pk, rsvp.status, "answered")])
            return rsvp
        if event.is_past():
            raise ValidationError(_("This event has ended."), code="ended")
        was = rsvp.status
        rsvp.status = RSVPStatus.NOT_GOING
        rsvp.guests = 0
        rsvp.breakout = None
        rsvp.checked_in_at = None  # a check-in belongs to the "going" it was made for
        rsvp.waitlist_seq = None
        rsvp.waitlisted_at = None
        rsvp.save()
        changes = [RSVPChange(rsvp.pk, rsvp.status, "cancelled")] if was != rsvp.status else []
        changes += _promote_waitlist(event)
        _after_commit(changes)
    return rsvp


def event_set_capacity(*, event: Event, capacity: int | None) -> Event:
    """Raising capacity promotes the waitlist; lowering it never removes anyone going."""
    if capacity is not None and capacity < 0:
        raise ValidationError(_("Capacity cannot be negative."), code="negative")
    with transaction.atomic():
        event = _lock_event(event)
        event.capacity = capacity
        event.save(update_fields=["capacity", "updated_at"])
        _after_commit(_promote_waitlist(event))
    return event


def rsvp_promote(*, rsvp: RSVP) -> Event:
    """An organizer seats a waitlisted party now, raising capacity by what it needs."""
    with transaction.atomic():
        event = _lock_event(rsvp.event)
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if rsvp.status != RSVPStatus.WAITLISTED:
            raise ValidationError(
                _("Only a waitlisted RSVP can be promoted."), code="not_waitlisted"
            )
        if event.capacity is not None:
            missing = rsvp.party_size - _free_seats(event)
            if missing > 0:
                event.capacity += int(missing)
                event.save(update_fields=["capacity", "updated_at"])
        rsvp.status = RSVPStatus.GOING
        rsvp.waitlist_seq = None
        rsvp.waitlisted_at = None
        rsvp.save(update_fields=["status", "waitlist_seq", "waitlisted_at", "updated_at"])
        _after_commit([RSVPChange(rsvp.pk, rsvp.status, "promoted")])
    return event


def rsvp_choose_breakout(*, event: Event, member, breakout: Breakout | None) -> RSVP:
    """A member who is going picks one breakout discussion (or none), within its capacity."""
    with transaction.atomic():
        event = _lock_event(event)
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        if rsvp is None or rsvp.status != RSVPStatus.GOING:
            raise ValidationError(
                _("Say you are going before choosing a breakout discussion."), code="not_going"
            )
        if event.is_past():
            raise ValidationError(_("This event has ended."), code="ended")
        if breakout is not None:
            if breakout.event_id != event.pk:
                raise ValidationError(_("That discussion belongs to another event."))
            if breakout.capacity is not None and rsvp.breakout_id != breakout.pk:
                taken = RSVP.objects.filter(breakout=breakout, status=RSVPStatus.GOING).count()
                if taken >= breakout.capacity:
                    raise ValidationError(
                        _("“%(topic)s” is full. Please choose another discussion.")
                        % {"topic": breakout.topic},
                        code="breakout_full",
                    )
        rsvp.breakout = breakout
        rsvp.save(update_fields=["breakout", "updated_at"])
        _after_commit([RSVPChange(rsvp.pk, rsvp.status, "breakout")])
    return rsvp


def rsvp_set_checked_in(*, rsvp: RSVP, checked_in: bool) -> RSVP:
    """Door check-in by an organizer; only members who are going can be checked in."""
    with transaction.atomic():
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if rsvp.status != RSVPStatus.GOING:
            raise ValidationError(_("Only members who are going can be checked in."))
        rsvp.checked_in_at = timezone.now() if checked_in else None
        rsvp.save(update_fields=["checked_in_at", "updated_at"])
    return rsvp


def reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Claims due reminders and queues them; each RSVP is reminded once.

    Due: going to a published event that starts within the group's reminder window. The rows
    are locked with SKIP LOCKED and marked in the same transaction, so two copies of
    send_reminders running at once never claim the same reminder.
    """
    now = now or timezone.now()
    window = Q()
    for group_id, hours in Group.objects.values_list("pk", "reminder_hours"):
        window |= Q(event__group_id=group_id, event__starts_at__lte=now + timedelta(hours=hours))
    with transaction.atomic():
        due = list(
            RSVP.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                window,
                status=RSVPStatus.GOING,
                member__isnull=False,
                reminder_sent_at__isnull=True,
                event__status=EventStatus.PUBLISHED,
                event__starts_at__gt=now,
            )
            .order_by("event__starts_at", "pk")
            .values_list("pk", "member_id", "event_id")[:limit]
        )
        if not due:
            return 0
        RSVP.objects.filter(pk__in=[pk for pk, _m, _e in due]).update(reminder_sent_at=now)
        by_event: dict[int, list[int]] = {}
        for _pk, member_id, event_id in due:
            by_event.setdefault(event_id, []).append(member_id)
        for event in Event.objects.filter(pk__in=by_event).select_related("group"):
            notifications.notify(kind=EmailKind.REMINDER, user_ids=by_event[event.pk], event=event)
    return len(due)
