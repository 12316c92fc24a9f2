"""Writes to events that span rows: each is one transaction."""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.imagefiles import SIBLINGS, sibling
from groups.markdown import markdown_store
from groups.models import Group, LogKind, Membership
from groups.services import log_record, membership_for_rsvp

from . import notifications
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
    Series,
    SpeakerRole,
    Venue,
)
from .translation import in_main_language, translated_fields, translated_values

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
    Event.objects.filter(pk=event.pk).update(announced_at=event.announced_at)
    members = Membership.objects.active().filter(group_id=event.group_id).exclude(user=by)
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
            log_record(group=event.group_id, kind=STATUS_LOG[status], by=by, title=event.title,
                       url=event.get_absolute_url())  # fmt: skip
        return
    changed = sorted(set(fields) - UNLOGGED_FIELDS)
    if status == EventStatus.PUBLISHED and changed:
        log_record(group=event.group_id, kind=LogKind.EVENT_CHANGED, by=by, title=event.title,
                   url=event.get_absolute_url(), detail=",".join(changed))  # fmt: skip


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
        log_change(event, before=before, fields=set(changed_fields), by=by)
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
        log_change(locked, before=before, fields=set(), by=by)
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


@in_main_language
def event_duplicate(*, event: Event, starts_at: datetime, by, guest_speakers: bool = True) -> Event:
    """Copies an event with its settings, hosts, speakers, program and breakout topics to a new
    start, as a draft; times of day in the program move with the start's wall-clock time.
    guest_speakers=False leaves the guests out (to be announced); moderators and facilitators
    stay."""
    zone = event.group.zone
    with transaction.atomic():
        local_shift = _local(starts_at, zone) - _local(event.starts_at, zone)

        def moved(moment: datetime | None) -> datetime | None:
            """The same wall-clock distance from the start (7 PM stays 7 PM across DST)."""
            return moment and (_local(moment, zone) + local_shift).replace(tzinfo=zone)

        # Each language's text by its own column (title_en, title_es…): the translated field
        # itself (title) reads and writes only the reader's language.
        translated = translated_fields(Event)
        copy = Event(
            **{
                field.attname: getattr(event, field.attname)
                for field in Event._meta.concrete_fields
                if field.name not in NOT_COPIED and field.name not in translated
            }
        )
        copy.status = EventStatus.DRAFT
        if copy.venue_id is None and event.series_id:
            copy.venue_id = event.series.default_venue_id
        copy.starts_at = starts_at
        copy.ends_at = moved(event.ends_at)
        copy.rsvp_opens_at = moved(event.rsvp_opens_at)
        copy.rsvp_closes_at = moved(event.rsvp_closes_at)
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
            if guest_speakers or s.role != SpeakerRole.GUEST
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
                **translated_values(b),
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


# How many dates one "schedule the next dates" may create (the admin form's limit too).
SCHEDULE_MAX = 24


def series_next_dates(*, series: Series, count: int, now: datetime | None = None) -> list:
    """The series' next `count` dates (local dates in the group's zone) starting after now,
    by its recurrence, stepped from its latest event that has started (or its first event
    when none has), whether or not they already have an event."""
    now = now or timezone.now()
    zone = series.group.zone
    events = Event.objects.filter(series=series)
    anchor = events.filter(starts_at__lte=now).order_by("-starts_at", "-pk").first()
    anchor = anchor or events.order_by("starts_at", "pk").first()
    if anchor is None:
        return []
    starts_at, dates = anchor.starts_at, []
    while len(dates) < count:
        if starts_at > now:
            dates.append(_local(starts_at, zone).date())
        starts_at = next_date(starts_at, series.recurrence, zone)
    return dates


def series_schedule(
    *, series: Series, count: int, by, publish: bool = False, now: datetime | None = None
) -> list[Event]:
    """Creates the series' next `count` dates (series_next_dates) that have no event of the
    series yet (of any status, so a cancelled date stays cancelled and a second run creates
    nothing), each a copy of the series' latest event at its wall-clock time, with the guest
    speakers left out (to be announced); as drafts, or published and announced once each."""
    if not 1 <= count <= SCHEDULE_MAX:
        raise ValidationError(
            _("Schedule between 1 and %(max)d dates at a time.") % {"max": SCHEDULE_MAX},
            code="count",
        )
    now = now or timezone.now()
    with transaction.atomic():
        # One run per series at a time: a second one waits, then sees the first one's events.
        series = Series.objects.select_for_update().select_related("group").get(pk=series.pk)
        zone = series.group.zone
        events = Event.objects.filter(series=series)
        template = (
            events.exclude(status=EventStatus.CANCELLED).order_by("-starts_at", "-pk").first()
            or events.order_by("-starts_at", "-pk").first()
        )
        if template is None:
            raise ValidationError(
                _("“%(series)s” has no event to copy yet: create its first event, then schedule.")
                % {"series": series.name},
                code="no_event",
            )
        template = (
            events.select_related("group", "series")
            .prefetch_related("hosts", "event_speakers", "agenda_items", "breakouts")
            .get(pk=template.pk)
        )
        dates = series_next_dates(series=series, count=count, now=now)
        # Local dates of the series' events around those dates (a day either side for zones).
        midnight = datetime.min.time()
        around = events.filter(
            starts_at__gte=datetime.combine(dates[0], midnight, zone) - timedelta(days=1),
            starts_at__lt=datetime.combine(dates[-1], midnight, zone) + timedelta(days=2),
        )
        taken = {
            _local(starts_at, zone).date()
            for starts_at in around.values_list("starts_at", flat=True)
        }
        time_of_day = _local(template.starts_at, zone).time()
        created = []
        for day in dates:
            if day in taken:
                continue
            copy = event_duplicate(
                event=template,
                starts_at=datetime.combine(day, time_of_day, zone),
                by=by,
                guest_speakers=False,
            )
            if publish:
                # The path every publication takes: the group is told once, after commit.
                copy = event_set_status(event=copy, status=EventStatus.PUBLISHED, by=by)
            created.append(copy)
    return created


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
    reason: str  # "answered", "promoted", "cancelled", "guests", "breakout", "host"
    by: str = ""  # the host who made a "host" change, named in the email


RSVP_EMAILS = {
    ("answered", RSVPStatus.GOING): EmailKind.CONFIRMATION,
    ("answered", RSVPStatus.WAITLISTED): EmailKind.WAITLISTED,
    ("promoted", RSVPStatus.GOING): EmailKind.PROMOTED,
    # A host added, moved or removed them: the same emails, saying who did it.
    ("host", RSVPStatus.GOING): EmailKind.CONFIRMATION,
    ("host", RSVPStatus.WAITLISTED): EmailKind.WAITLISTED,
    ("host", RSVPStatus.NOT_GOING): EmailKind.HOST_CANCELLED,
}


def rsvp_changes_committed(changes: list[RSVPChange]) -> None:
    """Runs after the transaction commits: the one place notifications about RSVPs start."""
    rsvps = RSVP.objects.select_related("event__group").in_bulk([c.rsvp_id for c in changes])
    for change in changes:
        logger.info("rsvp %s is now %s (%s)", change.rsvp_id, change.status, change.reason)
        kind = RSVP_EMAILS.get((change.reason, change.status))
        rsvp = rsvps.get(change.rsvp_id)
        if kind and rsvp is not None and rsvp.member_id:
            extra = {"by_host": change.by} if change.reason == "host" else None
            notifications.notify(
                kind=kind, user_ids=[rsvp.member_id], event=rsvp.event, extra=extra
            )


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


def _not_going(rsvp: RSVP) -> None:
    """Back to "not going": no seats, no breakout, no place in line, no check-in or no-show
    (they belong to the "going" they were made for)."""
    rsvp.status = RSVPStatus.NOT_GOING
    rsvp.guests = 0
    rsvp.breakout = None
    rsvp.checked_in_at = None
    rsvp.no_show = False
    rsvp.waitlist_seq = None
    rsvp.waitlisted_at = None


def _check_open(event: Event) -> None:
    _check_host_can_change(event)
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
        membership_for_rsvp(group_id=event.group_id, user=member)
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
                rsvp.no_show = False
                rsvp.cancelled_at = None  # going again: no longer a cancellation
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
            membership_for_rsvp(group_id=event.group_id, user=member)
            rsvp = RSVP.objects.create(event=event, member=member, status=RSVPStatus.NOT_GOING)
            _after_commit([RSVPChange(rsvp.pk, rsvp.status, "answered")])
            return rsvp
        if event.is_past():
            raise ValidationError(_("This event has ended."), code="ended")
        was = rsvp.status
        _not_going(rsvp)
        if was != rsvp.status:
            rsvp.cancelled_at = timezone.now()  # attendance history: late cancellations
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
        if checked_in:
            rsvp.no_show = False  # they came after all
        rsvp.save(update_fields=["checked_in_at", "no_show", "updated_at"])
    return rsvp


# --- What hosts do: name hosts, add, move, mark no-shows ---------------------------------
#
# Hosts (and organizers) change other members' RSVPs by the same seat rules: the event row
# is locked first, a move out of Going promotes the waitlist in the same transaction, and
# every change emails the member (RSVP_EMAILS, "host"). The views check who may do it
# (groups.visibility "rsvp_answers": organizers, and the hosts of that event).


def event_set_hosts(*, event: Event, hosts, by) -> Event:
    """Names the event's hosts; only members of the group can host."""
    hosts = list(hosts)
    with transaction.atomic():
        event = _lock_event(event)
        members = set(
            Membership.objects.active()
            .filter(group_id=event.group_id, user__in=hosts, user__is_active=True)
            .values_list("user_id", flat=True)
        )
        outsiders = [host for host in hosts if host.pk not in members]
        if outsiders:
            raise ValidationError(
                ngettext(
                    "%(names)s is not a member of the group, so cannot host.",
                    "%(names)s are not members of the group, so cannot host.",
                    len(outsiders),
                )
                % {"names": ", ".join(_name(host) for host in outsiders)},
                code="not_member",
            )
        event.hosts.set(hosts)
        event.updated_by = by
        # updated_at is part of the page generation: the event page lists its hosts.
        event.save(update_fields=["updated_by", "updated_at"])
    return event


def _check_host_can_change(event: Event) -> None:
    """Published and not ended: hosts may still change RSVPs after they close; members need
    _check_open() too."""
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled."), code="cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("This event is not open for RSVPs."), code="not_published")
    if event.is_past():
        raise ValidationError(_("This event has ended."), code="ended")


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _first_in_line(event: Event, rsvp: RSVP) -> None:
    """Puts the RSVP ahead of everyone waiting (a host's choice when the event is full)."""
    line = RSVP.objects.filter(event=event, status=RSVPStatus.WAITLISTED).exclude(pk=rsvp.pk)
    first = line.aggregate(first=Min("waitlist_seq"))["first"]
    # The counter stays above every place in line, so later joiners still come last.
    event.waitlist_counter += 1
    event.save(update_fields=["waitlist_counter"])
    if first is None:
        seq = event.waitlist_counter
    else:
        line.update(waitlist_seq=F("waitlist_seq") + 1)
        seq = first
    if rsvp.status != RSVPStatus.WAITLISTED:
        rsvp.waitlisted_at = timezone.now()
    rsvp.status = RSVPStatus.WAITLISTED
    rsvp.waitlist_seq = seq


def _seat(event: Event, rsvp: RSVP, *, by, raise_capacity: bool) -> RSVP:
    """Going when the party fits; when it does not, the capacity grows by what it needs
    (raise_capacity) or the party goes first in line. rsvp.capacity_raised_by says which."""
    free = _free_seats(event)
    rsvp.capacity_raised_by = 0
    if rsvp.party_size > free and raise_capacity:
        rsvp.capacity_raised_by = int(rsvp.party_size - free)
        event.capacity += rsvp.capacity_raised_by
        event.save(update_fields=["capacity", "updated_at"])
        free = rsvp.party_size
    if rsvp.party_size <= free:
        rsvp.status = RSVPStatus.GOING
        rsvp.waitlist_seq = None
        rsvp.waitlisted_at = None
    else:
        _first_in_line(event, rsvp)
    rsvp.checked_in_at = None
    rsvp.no_show = False
    rsvp.cancelled_at = None  # going (or in line) again: no longer a cancellation
    rsvp.save()
    changes = [RSVPChange(rsvp.pk, rsvp.status, "host", by=_name(by))]
    _after_commit(changes + _promote_waitlist(event))
    return rsvp


def rsvp_add(*, event: Event, member, by, raise_capacity: bool = False) -> RSVP:
    """A host adds a member of the group to Going (keeping guests they had asked for); when
    the event is full, raise_capacity chooses between more seats and first place in line.

    The RSVP returned has capacity_raised_by: how many seats were added (0 when none)."""
    with transaction.atomic():
        event = _lock_event(event)
        _check_host_can_change(event)
        if not Membership.objects.active().filter(group_id=event.group_id, user=member).exists():
            raise ValidationError(
                _("%(name)s is not a member of the group.") % {"name": _name(member)},
                code="not_member",
            )
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        if rsvp is None:
            rsvp = RSVP(event=event, member=member, status=RSVPStatus.NOT_GOING)
        elif rsvp.status == RSVPStatus.GOING:
            raise ValidationError(
                _("%(name)s is going already.") % {"name": _name(member)}, code="already"
            )
        return _seat(event, rsvp, by=by, raise_capacity=raise_capacity)


def rsvp_move(*, rsvp: RSVP, to: RSVPStatus, by, raise_capacity: bool = False) -> RSVP:
    """A host moves an RSVP between Going, Waitlisted and Not going, by the member rules:
    into Going as rsvp_add; to the waitlist at the end of the line (refused when a seat is
    free for them, as they would be seated again at once); out of Going promotes the line.

    The RSVP returned has capacity_raised_by (see rsvp_add)."""
    with transaction.atomic():
        event = _lock_event(Event(pk=rsvp.event_id))
        _check_host_can_change(event)
        rsvp = RSVP.objects.select_for_update(of=("self",)).select_related("member").get(pk=rsvp.pk)
        name = _name(rsvp.member) or _("A former member")
        if rsvp.status == to:
            raise ValidationError(
                _("%(name)s is already “%(status)s”.")
                % {"name": name, "status": RSVPStatus(to).label},
                code="already",
            )
        if to == RSVPStatus.GOING:
            return _seat(event, rsvp, by=by, raise_capacity=raise_capacity)
        rsvp.capacity_raised_by = 0
        if to == RSVPStatus.WAITLISTED:
            rsvp.breakout = None
            rsvp.checked_in_at = None
            rsvp.no_show = False
            _join_waitlist(event, rsvp)
        else:
            _not_going(rsvp)
        rsvp.save()
        promoted = _promote_waitlist(event)
        if any(change.rsvp_id == rsvp.pk for change in promoted):
            raise ValidationError(
                _(
                    "There is a free seat for %(name)s, so they would be seated again at "
                    "once. Lower the capacity first, or leave them going."
                )
                % {"name": name},
                code="would_be_seated",
            )
        _after_commit([RSVPChange(rsvp.pk, rsvp.status, "host", by=_name(by)), *promoted])
    return rsvp


def rsvp_mark_no_show(*, rsvp: RSVP, by, no_show: bool = True, now=None) -> RSVP:
    """A host records that a member going did not come (or takes it back), once the event
    has started; a check-in later clears it. No email: see no_show_notes_send."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(Event(pk=rsvp.event_id))
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if no_show:
            if event.status != EventStatus.PUBLISHED:
                raise ValidationError(
                    _("No-shows are marked for published events only."), code="not_published"
                )
            if event.starts_at > now:
                raise ValidationError(
                    _("No-shows can be marked once the event has started."), code="not_started"
                )
            if rsvp.status != RSVPStatus.GOING:
                raise ValidationError(
                    _("Only members who are going can be marked as no-shows."), code="not_going"
                )
            if rsvp.checked_in_at is not None:
                raise ValidationError(_("They were checked in, so they came."), code="checked_in")
        rsvp.no_show = no_show
        rsvp.no_show_noted_at = None
        rsvp.save(update_fields=["no_show", "no_show_noted_at", "updated_at"])
        logger.info("rsvp %s no-show %s (by %s)", rsvp.pk, no_show, getattr(by, "pk", None))
    return rsvp


def no_show_notes_send(*, group: Group, threshold: int, now: datetime | None = None) -> int:
    """Sends a gentle note to each member with `threshold` or more no-shows not yet counted
    in a note (so the next note needs as many new ones); returns how many were queued.

    The no-shows are locked with SKIP LOCKED and marked in the same transaction, so two runs
    at once never note the same no-show twice."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            RSVP.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                no_show=True,
                no_show_noted_at__isnull=True,
                member__isnull=False,
                event__group=group,
                event__status=EventStatus.PUBLISHED,
            )
            .order_by("event__starts_at", "pk")
            .values_list("pk", "member_id", "event_id")
        )
        by_member: dict[int, list[tuple[int, int]]] = {}
        for pk, member_id, event_id in rows:
            by_member.setdefault(member_id, []).append((pk, event_id))
        due = {m: missed for m, missed in by_member.items() if len(missed) >= threshold}
        if not due:
            return 0
        RSVP.objects.filter(pk__in=[pk for missed in due.values() for pk, _e in missed]).update(
            no_show_noted_at=now
        )
        latest = Event.objects.select_related("group").in_bulk(
            {missed[-1][1] for missed in due.values()}
        )
        for member_id, missed in due.items():
            notifications.notify(
                kind=EmailKind.NO_SHOW_NOTE,
                user_ids=[member_id],
                event=latest[missed[-1][1]],
                extra={"missed": len(missed)},
            )
    return len(due)


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


def rsvps_release_removed(member) -> None:
    """A member an organizer removed or banned: their upcoming RSVPs become "not going" and
    each waitlist moves up (the people promoted are told as usual). Registered on
    groups.hooks.member_removed; runs inside the removal's transaction. Not their own
    cancellation (no cancelled_at: it is not a late cancellation in their history)."""
    now = timezone.now()
    events = Event.objects.filter(
        rsvps__member=member,
        rsvps__status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
        ends_at__gt=now,
    ).distinct()
    changes: list[RSVPChange] = []
    for event in events.order_by("pk"):
        event = _lock_event(event)
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        if rsvp is None or rsvp.status == RSVPStatus.NOT_GOING:
            continue
        _not_going(rsvp)
        rsvp.save()
        changes += _promote_waitlist(event)
    _after_commit(changes)
