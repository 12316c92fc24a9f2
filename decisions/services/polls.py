"""Polls: opening, ballots, counting, closing, and what runs on a timer."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from core.markdown import markdown_store
from events.models import Event
from groups.access import viewer_for
from groups.models import Group, LogKind
from groups.services import log_record

from .. import counting, secrecy
from ..emails import DecisionEmail
from ..hooks import on_poll_closed
from ..models import (
    BODY_MAX,
    Option,
    Poll,
    Voters,
)
from .choices import normalize_choices
from .common import (
    MAX_DOTS,
    MAX_OPTIONS,
    METHOD_NAMES,
    REMIND_BEFORE,
    _interested,
    _require_organizer,
)
from .results import PollResults, poll_results
from .rolls import (
    MAX_EVENINGS,
    Cast,
    ballot_box_mix,
    ballot_boxes_mix_due,
    ballot_store,
    eligible_freeze,
    may_vote,
    voted_member_ids,
    voter_ids,
)

# --- Polls -------------------------------------------------------------------------------------


def may_open_polls(group: Group, member) -> bool:
    looking = viewer_for(member, group)
    return looking.is_organizer or (looking.is_member and group.members_open_polls)


def poll_open(
    *,
    group: Group,
    by,
    question: str,
    options,
    method: str,
    opens_at: datetime,
    closes_at: datetime,
    voters: str = Voters.MEMBERS,
    event: Event | None = None,
    attended_k: int | None = None,
    attended_n: int | None = None,
    details: str = "",
    results_while_open: bool = False,
    question_es: str = "",
    details_es: str = "",
    options_es=(),
    dots: int | None = None,
    now: datetime | None = None,
) -> Poll:
    """Opens a poll (now, or at opens_at): organizers, or any member when the group allows it.
    Logged; members who asked are emailed when it opens.

    The question, details and options are the main language's; their Spanish may be given
    too (options_es: none, or one per option in the same order). Spanish readers see the main
    text where the Spanish is empty. A dots poll gives each member `dots` dots; a dates poll's
    options are aware datetimes (listed earliest first; their labels are written from them)."""
    now = now or timezone.now()
    if not may_open_polls(group, by):
        raise PermissionDenied(_("Only organizers can open polls in this group."))
    question = " ".join((question or "").split())
    method = METHOD_NAMES.get(str(method).lower().replace("-", "_"), method)
    errors = {}
    starts = []
    if method == counting.Method.DATES:
        starts, labels, errors = _dates(group, options)
        options_es = ()
    else:
        labels = [" ".join(str(o).split()) for o in options]
        labels = [label for label in labels if label]
    if method == counting.Method.DOTS:
        if isinstance(dots, bool) or not isinstance(dots, int) or not 1 <= dots <= MAX_DOTS:
            errors["dots"] = _("Give each member from 1 to %(most)s dots.") % {"most": MAX_DOTS}
    else:
        dots = None
    if not question:
        errors["question"] = _("Ask a question.")
    if "options" in errors:
        pass
    elif len(labels) < 2:
        errors["options"] = _("Give at least two options.")
    elif len(labels) > MAX_OPTIONS:
        errors["options"] = _("Give at most %(count)s options.") % {"count": MAX_OPTIONS}
    elif len({label.casefold() for label in labels}) != len(labels):
        errors["options"] = _("Each option must be different.")
    labels_es = [" ".join(str(o).split()) for o in options_es or ()]
    labels_es = [label for label in labels_es if label]
    if labels_es and len(labels_es) != len(labels):
        errors["options_es"] = _("Give each option in Spanish, in the same order, or none.")
    elif len({label.casefold() for label in labels_es}) != len(labels_es):
        errors["options_es"] = _("Each option must be different.")
    if method not in [m.value for m in counting.Method]:
        errors["method"] = _("Choose how members vote.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("The poll must close after it opens.")
    elif closes_at <= now:
        errors["closes_at"] = _("The closing time has already passed.")
    if voters == Voters.ATTENDEES:
        if event is None or event.group_id != group.pk:
            errors["event"] = _("Choose the event whose attendees vote.")
    elif voters == Voters.REGULARS:
        if not (1 <= (attended_n or 0) <= MAX_EVENINGS):
            errors["attended_n"] = _("Give a number of evenings from 1 to %(max)s.") % {
                "max": MAX_EVENINGS
            }
        elif not (1 <= (attended_k or 0) <= attended_n):
            errors["attended_k"] = _("Give a number from 1 to the number of evenings.")
    elif voters != Voters.MEMBERS:
        errors["voters"] = _("Choose who may vote.")
    if errors:
        raise ValidationError(errors, code="invalid")
    starts = starts or [None] * len(labels)
    # Written in the main language whatever the opener reads: `question` is the English.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        poll = Poll(
            group=group,
            question=question,
            question_es=" ".join((question_es or "").split()) or None,
            details=(details or "").strip(),
            details_es=(details_es or "").strip() or None,
            method=method,
            dots=dots,
            opens_at=opens_at,
            closes_at=closes_at,
            voters=voters,
            event=event if voters == Voters.ATTENDEES else None,
            attended_k=attended_k if voters == Voters.REGULARS else None,
            attended_n=attended_n if voters == Voters.REGULARS else None,
            results_while_open=results_while_open,
            created_by=by,
            created_at=now,
        )
        markdown_store(poll)
        poll.save()
        spanish = labels_es or [None] * len(labels)
        generations.bulk_create(
            Option,
            [
                Option(poll=poll, label=label, label_es=label_es, position=i, starts_at=start)
                for i, (label, label_es, start) in enumerate(
                    zip(labels, spanish, starts, strict=True)
                )
            ],
        )
        # The roll of who may vote is fixed now: joining or checking in later adds nobody.
        eligible_freeze(poll=poll, now=now)
        log_record(
            group=group,
            kind=LogKind.POLL_OPENED,
            by=by,
            title=question,
            url=poll.get_absolute_url(),
            detail=str(poll.eligible_count),  # the roll's size, fixed now
            at=now,
        )
        if opens_at <= now:
            _announce_poll(poll, exclude=by)
    return poll


def _dates(group: Group, options) -> tuple[list[datetime], list[str], dict]:
    """A dates poll's options: aware datetimes, each once, earliest first, labelled in the
    group's time zone (the label is what the export and the other methods' code read)."""
    starts = list(options)
    if not all(isinstance(start, datetime) for start in starts):
        return [], [], {"options": _("Give the dates as dates and times.")}
    if any(start.tzinfo is None for start in starts):
        return [], [], {"options": _("Give the dates with their time zone.")}
    starts = sorted(starts)
    labels = [timezone.localtime(start, group.zone).strftime("%Y-%m-%d %H:%M") for start in starts]
    return starts, labels, {}


def _announce_poll(poll: Poll, *, exclude=None) -> None:
    generations.update(Poll.objects.filter(pk=poll.pk), announced_at=timezone.now())
    interested = _interested(poll.group, exclude=exclude)
    interested = sorted(set(voter_ids(poll)) & set(interested))
    emails_queue(
        kind=DecisionEmail.POLL,
        user_ids=interested,
        params={"poll_id": poll.pk},
    )


def ballot_cast(
    *, poll: Poll, member, choices, receipt: str | None = None, now: datetime | None = None
) -> Cast:
    """The member's ballot, secret: a row on the voter roll (who voted, on which day) and a
    row in the ballot box (the choices), with nothing linking them (decisions.secrecy). A
    person votes once per poll, whatever accounts they make. The first cast returns a new
    receipt; the ballot is changed, while the poll is open, only with that receipt.
    `choices` are options (or their keys), in order of preference for ranked choice."""
    now = now or timezone.now()
    if not poll.is_open(now):
        raise ValidationError(
            _("This poll is closed.") if poll.is_closed(now) else _("This poll is not open yet."),
            code="not_open",
        )
    if not may_vote(poll, member):
        raise PermissionDenied(
            _("Only the people going to the event can vote in this poll.")
            if poll.voters == Voters.ATTENDEES
            else _("Only members of the group can vote.")
            if not viewer_for(member, poll.group).is_member
            else _("You are not on this poll's roll of voters: it was fixed when the poll opened.")
        )
    ids = normalize_choices(poll, choices)
    with transaction.atomic():
        # The poll's row, locked: a ballot waits for an organizer closing the poll at that
        # moment and is then refused, so the count made at closing is the final one.
        if not Poll.objects.select_for_update().get(pk=poll.pk).is_open(now):
            raise ValidationError(_("This poll is closed."), code="not_open")
        return ballot_store(poll=poll, member=member, ids=ids, receipt=receipt, now=now)


def poll_results_shown(*, poll: Poll, now: datetime | None = None) -> PollResults | None:
    """The results a page shows: once closed; while open only if the poll says so and from
    secrecy.RESULTS_FROM ballots on (below it, results read before and after one member votes
    would show what they chose)."""
    now = now or timezone.now()
    if not poll.results_shown(now):
        return None
    results = poll_results(poll=poll, now=now)
    if not poll.is_closed(now) and results.ballots < secrecy.RESULTS_FROM:
        return None
    return results


def poll_close(*, poll: Poll, by, outcome: str = "", now: datetime | None = None) -> Poll:
    """Closes an open poll now (an organizer's decision, logged), with the written outcome if
    given (emailed to those who voted, logged)."""
    now = now or timezone.now()
    _require_organizer(poll.group, by)
    outcome = _outcome_checked(outcome)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.is_closed(now):
            raise ValidationError(_("This poll is already closed."), code="closed")
        if locked.opens_at > now:
            raise ValidationError(
                _("This poll has not opened yet: change its times instead."), code="not_open"
            )
        locked.closes_at = now
        locked.save(update_fields=["closes_at"])
        _note_closed(locked, by=by, now=now)
        if outcome:
            _outcome_record(locked, by=by, outcome=outcome, now=now)
    return locked


def poll_outcome_set(*, poll: Poll, by, outcome: str, now: datetime | None = None) -> Poll:
    """The written outcome of a poll already closed (by the clock, or by an organizer who wrote
    none then): an organizer writes it once; it is emailed to those who voted and logged."""
    now = now or timezone.now()
    _require_organizer(poll.group, by)
    outcome = _outcome_checked(outcome)
    if not outcome:
        raise ValidationError({"outcome": _("Write the outcome.")}, code="required")
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if not locked.is_closed(now):
            raise ValidationError(
                {"outcome": _("Close the poll first: the outcome is written when it closes.")},
                code="open",
            )
        if locked.outcome:
            raise ValidationError({"outcome": _("The outcome is already written.")}, code="written")
        _outcome_record(locked, by=by, outcome=outcome, now=now)
    return locked


def _outcome_checked(outcome: str) -> str:
    outcome = (outcome or "").strip()
    if len(outcome) > BODY_MAX:
        raise ValidationError(
            {"outcome": _("Keep the outcome under %(count)s characters.") % {"count": BODY_MAX}},
            code="max_length",
        )
    return outcome


def _outcome_record(poll: Poll, *, by, outcome: str, now: datetime) -> None:
    """Stores, logs and emails a poll's outcome (inside the caller's transaction)."""
    poll.outcome, poll.outcome_at = outcome, now
    generations.update(Poll.objects.filter(pk=poll.pk), outcome=outcome, outcome_at=now)
    log_record(
        group=poll.group_id,
        kind=LogKind.OUTCOME_WRITTEN,
        by=by,
        title=poll.question,
        url=poll.get_absolute_url(),
        detail=outcome,
        at=now,
    )
    emails_queue(
        kind=DecisionEmail.OUTCOME,
        user_ids=list(voted_member_ids(poll)),
        params={"poll_id": poll.pk},
    )


def poll_cancel(*, poll: Poll, by, confirmed_by=None) -> None:
    """An organizer ends a poll without a result: the poll and its ballots are deleted (no
    result is ever counted or shown), and the log says who cancelled it, and who confirmed it
    where the group has two organizers (groups.confirmations: decisions.apps registers it)."""
    _require_organizer(poll.group, by)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().filter(pk=poll.pk).first()
        if locked is None:
            raise ValidationError(_("This poll no longer exists."), code="gone")
        if locked.is_closed(timezone.now()):
            raise ValidationError(
                _("This poll has closed with its result; it cannot be cancelled."), code="closed"
            )
        log_record(
            group=locked.group_id,
            kind=LogKind.POLL_CANCELLED,
            by=by,
            title=locked.question,
            confirmed_by=confirmed_by,
        )
        locked.delete()


def _note_closed(poll: Poll, *, by, now: datetime) -> bool:
    """Writes the poll's "closed" entry, once (the log's key makes a second call a no-op), and
    mixes its ballot box for good (no more ballots can come)."""
    results = poll_results(poll=poll)
    # An election hands over its roles, a settings poll applies its change (decisions.hooks).
    winner = on_poll_closed(poll, now=now) or (results.winner.label if results.winner else "")
    entry = log_record(
        group=poll.group_id,
        kind=LogKind.POLL_CLOSED,
        by=by,
        title=poll.question,
        url=poll.get_absolute_url(),
        detail=winner,
        key=f"poll-closed:{poll.pk}",
        at=min(now, poll.closes_at),
    )
    if generations.update(
        Poll.objects.filter(pk=poll.pk, closed_noted_at__isnull=True), closed_noted_at=now
    ):
        ballot_box_mix(poll=poll)
    return entry is not None


def polls_close_due(*, now: datetime | None = None) -> int:
    """Logs the polls whose closing time has passed (each once, rows claimed SKIP LOCKED)."""
    now = now or timezone.now()
    noted = 0
    with transaction.atomic():
        due = list(
            Poll.objects.filter(closes_at__lte=now, closed_noted_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("closes_at", "pk")[:100]
        )
        for poll in due:
            noted += _note_closed(poll, by=None, now=now)
    return noted


def polls_announce_due(*, now: datetime | None = None) -> int:
    """Emails about polls set to open later, when they open (each once)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Poll.objects.filter(opens_at__lte=now, closes_at__gt=now, announced_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("group", "created_by")
            .order_by("opens_at", "pk")[:100]
        )
        for poll in due:
            _announce_poll(poll, exclude=poll.created_by)
    return len(due)


def poll_reminders_send(*, now: datetime | None = None) -> int:
    """A day before a poll closes: one reminder to each voter who has not voted, once."""
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        due = list(
            Poll.objects.filter(
                opens_at__lte=now,
                closes_at__gt=now,
                closes_at__lte=now + REMIND_BEFORE,
                reminded_at__isnull=True,
            )
            .select_for_update(skip_locked=True)
            .order_by("closes_at", "pk")[:100]
        )
        for poll in due:
            generations.update(Poll.objects.filter(pk=poll.pk), reminded_at=now)
            ids = list(voter_ids(poll).exclude(user_id__in=voted_member_ids(poll)))
            emails_queue(
                kind=DecisionEmail.POLL_REMINDER,
                user_ids=ids,
                params={"poll_id": poll.pk},
            )
            queued += len(ids)
    return queued


def periodic() -> str:
    """What send_reminders runs for decisions (core.hooks.periodic)."""
    opened = polls_announce_due()
    reminded = poll_reminders_send()
    closed = polls_close_due()
    mixed = ballot_boxes_mix_due()
    return (
        f"{opened} polls announced, {reminded} poll reminders queued, {closed} polls closed, "
        f"{mixed} ballot boxes mixed"
    )
