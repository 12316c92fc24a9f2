"""Consent proposals: positions with reasons, in public; a dates poll's winning time as a draft
event."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from core.markdown import markdown_store
from events.models import Event, EventStatus
from events.services import event_save, unique_slug
from events.translation import in_main_language
from groups.models import Group, LogKind
from groups.services import log_record

from ..counting import Method
from ..emails import DecisionEmail
from ..models import BODY_MAX, Decision, Poll, Position, PositionKind
from .common import _interested, _require_member, _require_organizer
from .polls import may_open_polls
from .results import poll_results

REASON_MAX = 2000


def decision_open(
    *,
    group: Group,
    by,
    title: str,
    body: str,
    closes_at: datetime,
    now: datetime | None = None,
) -> Decision:
    """Opens a consent proposal (whoever may open polls may open one); logged, and members who
    asked for emails about polls are told."""
    now = now or timezone.now()
    if not may_open_polls(group, by):
        raise PermissionDenied(_("Only organizers can open consent proposals in this group."))
    title = " ".join((title or "").split())
    body = (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the proposal a title.")
    if not body:
        errors["body"] = _("Say what you propose.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("Keep it under %(count)s characters.") % {"count": BODY_MAX}
    if closes_at <= now:
        errors["closes_at"] = _("The closing time has already passed.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        decision = Decision(
            group=group, title=title, body=body, created_by=by, opened_at=now, closes_at=closes_at
        )
        markdown_store(decision)
        decision.save()
        log_record(
            group=group,
            kind=LogKind.DECISION_OPENED,
            by=by,
            title=title,
            url=decision.get_absolute_url(),
            at=now,
        )
        emails_queue(
            kind=DecisionEmail.DECISION,
            user_ids=_interested(group, exclude=by),
            params={"decision_id": decision.pk},
        )
    return decision


def position_state(
    *, decision: Decision, member, position: str, reason: str = "", now: datetime | None = None
) -> Position:
    """A member's position, stated or changed while the proposal is open. A block needs a
    reason: it is a public argument, shown with the member's name."""
    now = now or timezone.now()
    _require_member(decision.group, member)
    reason = (reason or "").strip()
    if position not in PositionKind.values:
        raise ValidationError({"position": _("Choose agree, abstain, disagree or block.")})
    if position == PositionKind.BLOCK and not reason:
        raise ValidationError(
            {"reason": _("A block needs a reason: say what would have to change.")},
            code="block_reason",
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep your reason under %(count)s characters.") % {"count": REASON_MAX}}
        )
    values = {"position": position, "reason": reason, "stated_at": now}
    with transaction.atomic():
        if not Decision.objects.select_for_update().get(pk=decision.pk).is_open(now):
            raise ValidationError(_("This proposal is closed."), code="closed")
        rows = Position.objects.filter(decision=decision, member=member)
        if not generations.update(rows, **values):
            try:
                with transaction.atomic():
                    Position.objects.create(decision=decision, member=member, **values)
            except IntegrityError:  # their other request, at the same moment, came first
                generations.update(rows, **values)
        return rows.get()


def stated_member_ids(decision: Decision):
    """Who took part in a consent proposal: the members who stated a position."""
    return (
        Position.objects.filter(decision=decision)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def decision_close(
    *, decision: Decision, by, outcome: str, now: datetime | None = None
) -> Decision:
    """Closes a consent proposal with its written outcome (an organizer; required): logged and
    emailed to those who stated a position."""
    now = now or timezone.now()
    _require_organizer(decision.group, by)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Write the outcome.")}, code="required")
    if len(outcome) > BODY_MAX:
        raise ValidationError(
            {"outcome": _("Keep the outcome under %(count)s characters.") % {"count": BODY_MAX}}
        )
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.closed_at is not None:
            raise ValidationError(_("This proposal is already closed."), code="closed")
        locked.closed_at = min(now, locked.closes_at)
        locked.outcome = outcome
        generations.update(
            Decision.objects.filter(pk=locked.pk), closed_at=locked.closed_at, outcome=outcome
        )
        log_record(
            group=locked.group_id,
            kind=LogKind.DECISION_CLOSED,
            by=by,
            title=locked.title,
            url=locked.get_absolute_url(),
            detail=outcome,
            at=now,
        )
        emails_queue(
            kind=DecisionEmail.OUTCOME,
            user_ids=list(stated_member_ids(locked)),
            params={"decision_id": locked.pk},
        )
    return locked


@in_main_language
def poll_to_event(*, poll: Poll, by, now: datetime | None = None) -> Event:
    """A closed dates poll's winning time as a draft event (an organizer; once; logged)."""
    now = now or timezone.now()
    _require_organizer(poll.group, by)
    if poll.method != Method.DATES:
        raise ValidationError(_("Only a dates poll chooses a time."), code="not_dates")
    if not poll.is_closed(now):
        raise ValidationError(_("Close the poll first."), code="open")
    winner = poll_results(poll=poll).winner
    if winner is None or winner.starts_at is None:
        raise ValidationError(_("No date won this poll."), code="no_winner")
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.became_event_id is not None:
            raise ValidationError(_("This poll already became an event."), code="done")
        event = Event(
            group=poll.group,
            title=locked.question,
            slug=unique_slug(slugify(locked.question)[:180] or "poll"),
            description=locked.details,
            status=EventStatus.DRAFT,
            starts_at=winner.starts_at,
            ends_at=winner.starts_at + timedelta(hours=2),
        )
        event = event_save(event=event, by=by)
        generations.update(Poll.objects.filter(pk=locked.pk), became_event=event)
        log_record(
            group=poll.group_id,
            kind=LogKind.POLL_SCHEDULED,
            by=by,
            title=locked.question,
            url=locked.get_absolute_url(),
            detail=winner.label,
            at=now,
        )
    poll.became_event = event
    return event
