"""What hosts do: name hosts, add people, move them, mark no-shows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import generations
from groups.models import LogKind, Membership

from ..models import (
    RSVP,
    Event,
    EventStatus,
    RSVPStatus,
)
from .rsvps import (
    RSVPChange,
    after_commit,
    check_host_can_change,
    free_seat_count,
    join_waitlist,
    lock_event,
    log_host_act,
    logger,
    not_going,
    promote_waitlist,
)

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
        event = lock_event(event)
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
        generations.update(line, waitlist_seq=F("waitlist_seq") + 1)
        seq = first
    if rsvp.status != RSVPStatus.WAITLISTED:
        rsvp.waitlisted_at = timezone.now()
    rsvp.status = RSVPStatus.WAITLISTED
    rsvp.waitlist_seq = seq


def _seat(event: Event, rsvp: RSVP, *, by, raise_capacity: bool) -> RSVP:
    """Going when the party fits; when it does not, the capacity grows by what it needs
    (raise_capacity) or the party goes first in line. rsvp.capacity_raised_by says which."""
    free = free_seat_count(event)
    rsvp.capacity_raised_by = 0
    if rsvp.party_size > free and raise_capacity:
        rsvp.capacity_raised_by = int(rsvp.party_size - free)
        event.capacity += rsvp.capacity_raised_by
        event.save(update_fields=["capacity", "updated_at"])
        free = rsvp.party_size
        log_host_act(event, kind=LogKind.CAPACITY_RAISED, by=by, detail=str(event.capacity))
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
    after_commit(changes + promote_waitlist(event))
    return rsvp


def rsvp_add(*, event: Event, member, by, raise_capacity: bool = False) -> RSVP:
    """A host adds a member of the group to Going (keeping guests they had asked for); when
    the event is full, raise_capacity chooses between more seats and first place in line.

    The RSVP returned has capacity_raised_by: how many seats were added (0 when none)."""
    with transaction.atomic():
        event = lock_event(event)
        check_host_can_change(event)
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
        rsvp = _seat(event, rsvp, by=by, raise_capacity=raise_capacity)
        log_host_act(event, kind=LogKind.ATTENDEE_ADDED, by=by, member=member, detail=rsvp.status)
        return rsvp


def rsvp_move(*, rsvp: RSVP, to: RSVPStatus, by, raise_capacity: bool = False) -> RSVP:
    """A host moves an RSVP between Going, Waitlisted and Not going, by the member rules:
    into Going as rsvp_add; to the waitlist at the end of the line (refused when a seat is
    free for them, as they would be seated again at once); out of Going promotes the line.

    The RSVP returned has capacity_raised_by (see rsvp_add)."""
    with transaction.atomic():
        event = lock_event(Event(pk=rsvp.event_id))
        check_host_can_change(event)
        rsvp = RSVP.objects.select_for_update(of=("self",)).select_related("member").get(pk=rsvp.pk)
        name = _name(rsvp.member) or _("A former member")
        if rsvp.status == to:
            raise ValidationError(
                _("%(name)s is already “%(status)s”.")
                % {"name": name, "status": RSVPStatus(to).label},
                code="already",
            )
        if to == RSVPStatus.GOING:
            rsvp = _seat(event, rsvp, by=by, raise_capacity=raise_capacity)
            log_host_act(
                event, kind=LogKind.ATTENDEE_MOVED, by=by, member=rsvp.member, detail=rsvp.status
            )
            return rsvp
        rsvp.capacity_raised_by = 0
        if to == RSVPStatus.WAITLISTED:
            rsvp.breakout = None
            rsvp.checked_in_at = None
            rsvp.no_show = False
            join_waitlist(event, rsvp)
        else:
            not_going(rsvp)
        rsvp.save()
        promoted = promote_waitlist(event)
        if any(change.rsvp_id == rsvp.pk for change in promoted):
            raise ValidationError(
                _(
                    "There is a free seat for %(name)s, so they would be seated again at "
                    "once. Lower the capacity first, or leave them going."
                )
                % {"name": name},
                code="would_be_seated",
            )
        log_host_act(
            event, kind=LogKind.ATTENDEE_MOVED, by=by, member=rsvp.member, detail=rsvp.status
        )
        after_commit([RSVPChange(rsvp.pk, rsvp.status, "host", by=_name(by)), *promoted])
    return rsvp


def rsvp_mark_no_show(*, rsvp: RSVP, by, no_show: bool = True, now=None) -> RSVP:
    """A host records that a member going did not come (or takes it back), once the event
    has started; a check-in later clears it. No email: see no_show_notes_send."""
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(Event(pk=rsvp.event_id))
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
