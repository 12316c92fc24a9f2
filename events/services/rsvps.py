"""RSVPs: seats, the waitlist, breakouts and check-in, one locked event at a time."""

import logging
import math
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.models import Group, LogKind
from groups.services import log_record, membership_for_rsvp, membership_join

from ..emails import EventEmail, notify
from ..models import (
    RSVP,
    Breakout,
    Event,
    EventStatus,
    RSVPStatus,
)

# --- RSVPs ---------------------------------------------------------------------------------
#
# Every function below locks the event row first (select_for_update), so writes to one
# event's seats happen one at a time; promotions happen in the same transaction as the
# change that freed the seats. After each of them: seats taken <= capacity, and no
# waitlisted party fits into the free seats.

logger = logging.getLogger(__package__)  # "events.services", as the log has always named it


@dataclass(frozen=True)
class RSVPChange:
    """One member's new state, for its email and the log line written after commit."""

    rsvp_id: int
    status: str
    reason: str  # "answered", "promoted", "cancelled", "guests", "breakout", "host"
    by: str = ""  # the host who made a "host" change, named in the email


RSVP_EMAILS = {
    ("answered", RSVPStatus.GOING): EventEmail.CONFIRMATION,
    ("answered", RSVPStatus.WAITLISTED): EventEmail.WAITLISTED,
    ("promoted", RSVPStatus.GOING): EventEmail.PROMOTED,
    # A host added, moved or removed them: the same emails, saying who did it.
    ("host", RSVPStatus.GOING): EventEmail.CONFIRMATION,
    ("host", RSVPStatus.WAITLISTED): EventEmail.WAITLISTED,
    ("host", RSVPStatus.NOT_GOING): EventEmail.HOST_CANCELLED,
}


def rsvp_changes_notify(changes: list[RSVPChange]) -> None:
    """Queues each change's email in the transaction that made it: the one place emails
    about RSVPs start (they leave when it commits; a rollback takes them back)."""
    rsvps = RSVP.objects.select_related("event").in_bulk([c.rsvp_id for c in changes])
    for change in changes:
        kind = RSVP_EMAILS.get((change.reason, change.status))
        rsvp = rsvps.get(change.rsvp_id)
        if kind and rsvp is not None and rsvp.member_id:
            extra = {"by_host": change.by} if change.reason == "host" else None
            notify(kind=kind, user_ids=[rsvp.member_id], event=rsvp.event, extra=extra)


def rsvp_changes_committed(changes: list[RSVPChange]) -> None:
    """Runs after the transaction commits: the log line of each change."""
    for change in changes:
        logger.info("rsvp %s is now %s (%s)", change.rsvp_id, change.status, change.reason)


def after_commit(changes: list[RSVPChange]) -> None:
    if changes:
        rsvp_changes_notify(list(changes))
        transaction.on_commit(partial(rsvp_changes_committed, list(changes)))


def lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def seats_taken(event: Event) -> int:
    """Members going plus their guests."""
    return RSVP.objects.filter(event=event, status=RSVPStatus.GOING).aggregate(
        taken=Coalesce(Sum(F("guests") + 1), 0)
    )["taken"]


def free_seat_count(event: Event) -> float:
    if event.capacity is None:
        return math.inf
    return event.capacity - seats_taken(event)


def promote_waitlist(event: Event) -> list[RSVPChange]:
    """Promotes, in order of joining, every waitlisted party that fits whole."""
    free = free_seat_count(event)
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


def join_waitlist(event: Event, rsvp: RSVP) -> None:
    event.waitlist_counter += 1
    event.save(update_fields=["waitlist_counter"])
    rsvp.status = RSVPStatus.WAITLISTED
    rsvp.waitlist_seq = event.waitlist_counter
    rsvp.waitlisted_at = timezone.now()


def not_going(rsvp: RSVP) -> None:
    """Back to "not going": no seats, no breakout, no place in line, no check-in or no-show
    (they belong to the "going" they were made for)."""
    rsvp.status = RSVPStatus.NOT_GOING
    rsvp.guests = 0
    rsvp.breakout = None
    rsvp.checked_in_at = None
    rsvp.no_show = False
    rsvp.waitlist_seq = None
    rsvp.waitlisted_at = None


def check_host_can_change(event: Event) -> None:
    """Published and not ended: hosts may still change RSVPs after they close; members need
    _check_open() too."""
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled."), code="cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("This event is not open for RSVPs."), code="not_published")
    if event.is_past():
        raise ValidationError(_("This event has ended."), code="ended")


def _check_open(event: Event) -> None:
    check_host_can_change(event)
    if not event.rsvp_is_open():
        raise ValidationError(_("RSVPs for this event are closed."), code="closed")


def rsvp_set(*, event: Event, member, going: bool, guests: int = 0, answer: str = "") -> RSVP:
    """Answers going or not going; a party that does not fit joins the waitlist."""
    if not going:
        return rsvp_cancel(event=event, member=member)
    with transaction.atomic():
        event = lock_event(event)
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
            free = free_seat_count(event)
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
                join_waitlist(event, rsvp)
                rsvp.breakout = None
                rsvp.checked_in_at = None
                rsvp.no_show = False
                rsvp.cancelled_at = None  # going again: no longer a cancellation
            rsvp.save()
            changes.append(RSVPChange(rsvp.pk, rsvp.status, "answered"))
        promoted = promote_waitlist(event)
        rsvp.refresh_from_db()
        if any(change.rsvp_id == rsvp.pk for change in promoted):
            # Seated straight away: one "answered" change with the final status.
            changes = [RSVPChange(rsvp.pk, rsvp.status, "answered")]
            promoted = [change for change in promoted if change.rsvp_id != rsvp.pk]
        changes += promoted
        after_commit(changes)
    return rsvp


def rsvp_cancel(*, event: Event, member) -> RSVP:
    """Not going (any more): frees the seats, and the waitlist moves up."""
    with transaction.atomic():
        event = lock_event(event)
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        if rsvp is None:
            _check_open(event)
            membership_for_rsvp(group_id=event.group_id, user=member)
            rsvp = RSVP.objects.create(event=event, member=member, status=RSVPStatus.NOT_GOING)
            after_commit([RSVPChange(rsvp.pk, rsvp.status, "answered")])
            return rsvp
        if event.is_past():
            raise ValidationError(_("This event has ended."), code="ended")
        was = rsvp.status
        not_going(rsvp)
        if was != rsvp.status:
            rsvp.cancelled_at = timezone.now()  # attendance history: late cancellations
        rsvp.save()
        changes = [RSVPChange(rsvp.pk, rsvp.status, "cancelled")] if was != rsvp.status else []
        changes += promote_waitlist(event)
        after_commit(changes)
    return rsvp


def rsvp_join_and_go(*, event: Event, member, guests: int = 0, answer: str = "") -> RSVP:
    """ "Join and go": a signed-in person who is not a member yet joins the group and answers
    going (the waitlist when it is full) in one transaction. Only where joining is open (no
    approval, no join questions); refused for a ban or a request still waiting. A refusal of
    either step stores neither: no membership without the RSVP it was made for."""
    with transaction.atomic():
        event = lock_event(event)  # the event first, then the group: rsvp_set's order
        group = Group.objects.get(pk=event.group_id)
        if group.join_needs_approval or group.join_questions.exists():
            raise ValidationError(
                _("This group asks something before you join: please ask to join first."),
                code="join_first",
            )
        _check_open(event)
        membership_join(group=group, user=member)
        return rsvp_set(event=event, member=member, going=True, guests=guests, answer=answer)


def log_host_act(event: Event, *, kind: LogKind, by, member=None, detail: str = "") -> None:
    """What a host or organizer did to other members' places at a published event is in the
    transparency log (adding someone, moving them, raising capacity)."""
    if event.status != EventStatus.PUBLISHED:
        return
    log_record(
        group=event.group_id,
        kind=kind,
        by=by,
        member=member,
        title=event.title,
        url=event.get_absolute_url(),
        detail=detail,
    )


def _raised(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


def event_set_capacity(*, event: Event, capacity: int | None, by=None) -> Event:
    """Raising capacity promotes the waitlist (and is logged); lowering it never removes
    anyone going."""
    if capacity is not None and capacity < 0:
        raise ValidationError(_("Capacity cannot be negative."), code="negative")
    with transaction.atomic():
        event = lock_event(event)
        before = event.capacity
        event.capacity = capacity
        event.save(update_fields=["capacity", "updated_at"])
        if _raised(before, capacity):
            log_host_act(event, kind=LogKind.CAPACITY_RAISED, by=by, detail=str(capacity or ""))
        after_commit(promote_waitlist(event))
    return event


def rsvp_promote(*, rsvp: RSVP, by=None) -> Event:
    """An organizer seats a waitlisted party now, raising capacity by what it needs."""
    with transaction.atomic():
        event = lock_event(rsvp.event)
        rsvp = RSVP.objects.select_for_update(of=("self",)).select_related("member").get(pk=rsvp.pk)
        if rsvp.status != RSVPStatus.WAITLISTED:
            raise ValidationError(
                _("Only a waitlisted RSVP can be promoted."), code="not_waitlisted"
            )
        if event.capacity is not None:
            missing = rsvp.party_size - free_seat_count(event)
            if missing > 0:
                event.capacity += int(missing)
                event.save(update_fields=["capacity", "updated_at"])
                log_host_act(event, kind=LogKind.CAPACITY_RAISED, by=by, detail=str(event.capacity))
        rsvp.status = RSVPStatus.GOING
        rsvp.waitlist_seq = None
        rsvp.waitlisted_at = None
        rsvp.save(update_fields=["status", "waitlist_seq", "waitlisted_at", "updated_at"])
        log_host_act(
            event, kind=LogKind.ATTENDEE_MOVED, by=by, member=rsvp.member, detail=rsvp.status
        )
        after_commit([RSVPChange(rsvp.pk, rsvp.status, "promoted")])
    return event


def rsvp_choose_breakout(*, event: Event, member, breakout: Breakout | None) -> RSVP:
    """A member who is going picks one breakout discussion (or none), within its capacity."""
    with transaction.atomic():
        event = lock_event(event)
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
        after_commit([RSVPChange(rsvp.pk, rsvp.status, "breakout")])
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
        event = lock_event(event)
        rsvp = RSVP.objects.select_for_update().filter(event=event, member=member).first()
        if rsvp is None or rsvp.status == RSVPStatus.NOT_GOING:
            continue
        not_going(rsvp)
        rsvp.save()
        changes += promote_waitlist(event)
    after_commit(changes)
