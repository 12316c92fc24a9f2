"""Polls: opening, ballots, counting, closing, and what runs on a timer."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from core.markdown import markdown_store
from events.models import RSVP, Event, RSVPStatus
from groups.access import viewer_for
from groups.models import Group, LogKind, Membership
from groups.services import log_record

from .. import counting
from ..emails import DecisionEmail
from ..models import (
    Ballot,
    Option,
    Poll,
    Voters,
)
from .common import (
    MAX_OPTIONS,
    METHOD_NAMES,
    REMIND_BEFORE,
    RESULTS_CACHED,
    _interested,
    _require_organizer,
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
    details: str = "",
    results_while_open: bool = False,
    question_es: str = "",
    details_es: str = "",
    options_es=(),
    now: datetime | None = None,
) -> Poll:
    """Opens a poll (now, or at opens_at): organizers, or any member when the group allows it.
    Logged; members who asked are emailed when it opens.

    The question, details and options are the main language's; their Spanish may be given
    too (options_es: none, or one per option in the same order). Spanish readers see the main
    text where the Spanish is empty."""
    now = now or timezone.now()
    if not may_open_polls(group, by):
        raise PermissionDenied(_("Only organizers can open polls in this group."))
    question = " ".join((question or "").split())
    labels = [" ".join(str(o).split()) for o in options]
    labels = [label for label in labels if label]
    errors = {}
    if not question:
        errors["question"] = _("Ask a question.")
    if len(labels) < 2:
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
    method = METHOD_NAMES.get(str(method).lower().replace("-", "_"), method)
    if method not in [m.value for m in counting.Method]:
        errors["method"] = _("Choose how members vote.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("The poll must close after it opens.")
    elif closes_at <= now:
        errors["closes_at"] = _("The closing time has already passed.")
    if voters == Voters.ATTENDEES:
        if event is None or event.group_id != group.pk:
            errors["event"] = _("Choose the event whose attendees vote.")
    elif voters != Voters.MEMBERS:
        errors["voters"] = _("Choose who may vote.")
    if errors:
        raise ValidationError(errors, code="invalid")
    # Written in the main language whatever the opener reads: `question` is the English.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        poll = Poll(
            group=group,
            question=question,
            question_es=" ".join((question_es or "").split()) or None,
            details=(details or "").strip(),
            details_es=(details_es or "").strip() or None,
            method=method,
            opens_at=opens_at,
            closes_at=closes_at,
            voters=voters,
            event=event if voters == Voters.ATTENDEES else None,
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
                Option(poll=poll, label=label, label_es=label_es, position=i)
                for i, (label, label_es) in enumerate(zip(labels, spanish, strict=True))
            ],
        )
        log_record(
            group=group,
            kind=LogKind.POLL_OPENED,
            by=by,
            title=question,
            url=poll.get_absolute_url(),
            at=now,
        )
        if opens_at <= now:
            _announce_poll(poll, exclude=by)
    return poll


def _announce_poll(poll: Poll, *, exclude=None) -> None:
    generations.update(Poll.objects.filter(pk=poll.pk), announced_at=timezone.now())
    interested = _interested(poll.group, exclude=exclude)
    if poll.voters == Voters.ATTENDEES:
        interested = sorted(set(voter_ids(poll)) & set(interested))
    emails_queue(
        kind=DecisionEmail.POLL,
        user_ids=interested,
        params={"poll_id": poll.pk},
    )


def voter_ids(poll: Poll):
    """Who may vote: the group's members, or the members going to the poll's event."""
    members = Membership.objects.active().filter(group_id=poll.group_id, user__is_active=True)
    if poll.voters == Voters.ATTENDEES:
        going = RSVP.objects.filter(event_id=poll.event_id, status=RSVPStatus.GOING)
        members = members.filter(user__in=going.values("member_id"))
    return members.values_list("user_id", flat=True)


def may_vote(poll: Poll, member) -> bool:
    if member is None or not member.is_authenticated:
        return False
    return voter_ids(poll).filter(user_id=member.pk).exists()


def _choice_ids(poll: Poll, choices) -> list[int]:
    """Options given as Option rows, their keys, or their labels, checked against the poll."""
    options = list(poll.options.all())
    known = {o.pk for o in options}
    labels = {o.label: o.pk for o in options}
    ids = []
    for choice in choices:
        pk = getattr(choice, "pk", choice)
        if isinstance(pk, str) and not (pk.isdigit() and int(pk) in known) and pk in labels:
            pk = labels[pk]
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            pk = None
        if pk not in known:
            raise ValidationError({"choices": _("Choose among this poll's options.")})
        ids.append(pk)
    if len(set(ids)) != len(ids):
        raise ValidationError({"choices": _("Choose each option at most once.")})
    if not ids:
        raise ValidationError({"choices": _("Choose at least one option.")})
    if poll.method == counting.Method.SINGLE and len(ids) != 1:
        raise ValidationError({"choices": _("Choose exactly one option.")})
    return ids


def ballot_cast(*, poll: Poll, member, choices, now: datetime | None = None) -> Ballot:
    """The member's ballot: exactly one per member (a database constraint), replaced while
    the poll is open. `choices` are options (or their keys), in order of preference for ranked
    choice."""
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
        )
    ids = _choice_ids(poll, choices)
    with transaction.atomic():
        # The poll's row, locked: a ballot waits for an organizer closing the poll at that
        # moment and is then refused, so the count made at closing is the final one.
        if not Poll.objects.select_for_update().get(pk=poll.pk).is_open(now):
            raise ValidationError(_("This poll is closed."), code="not_open")
        ballots = Ballot.objects.filter(poll=poll, member=member)
        if not generations.update(ballots, choices=ids, cast_at=now):
            try:
                with transaction.atomic():
                    Ballot.objects.create(poll=poll, member=member, choices=ids, cast_at=now)
            except IntegrityError:  # their other ballot, cast at the same moment, came first
                generations.update(ballots, choices=ids, cast_at=now)
        ballot = ballots.get()
    return ballot


def ballot_of(poll: Poll, member) -> Ballot | None:
    if member is None or not member.is_authenticated:
        return None
    return Ballot.objects.filter(poll=poll, member=member).first()


@dataclass(frozen=True)
class RoundView:
    counts: dict  # {Option: votes}, in the poll's option order
    eliminated: list
    exhausted: int


@dataclass(frozen=True)
class PollResults:
    method: str
    rounds: list[RoundView]
    winner: Option | None
    tied: list[Option]
    ballots: int

    @property
    def first(self) -> RoundView:
        return self.rounds[0]

    @property
    def final(self) -> RoundView:
        return self.rounds[-1]


def poll_results(*, poll: Poll, now: datetime | None = None) -> PollResults:
    """Every round's counts and the winner. A closed poll's ballots and options can no longer
    change, so its count is kept in the cache once made; an open poll is counted each time
    (two queries, however many ballots)."""
    if not poll.is_closed(now):
        return _count(poll)
    key = f"poll-results:{poll.pk}:{poll.created_at.timestamp()}:{poll.closes_at.timestamp()}"
    results = cache.get(key)
    if results is None:
        results = _count(poll)
        cache.set(key, results, timeout=RESULTS_CACHED)
    return results


def _count(poll: Poll) -> PollResults:
    options = list(poll.options.all())
    by_pk = {o.pk: o for o in options}
    ballots = [
        [pk for pk in choices if pk in by_pk]
        for choices in Ballot.objects.filter(poll=poll).values_list("choices", flat=True)
    ]
    keys = [o.pk for o in options]
    match poll.method:
        case counting.Method.SINGLE:
            result = counting.count_single(keys, [b[:1] for b in ballots if b])
        case counting.Method.APPROVAL:
            result = counting.count_approval(keys, ballots)
        case _:
            result = counting.count_ranked(keys, ballots)
    rounds = [
        RoundView(
            counts={by_pk[pk]: votes for pk, votes in r.counts.items()},
            eliminated=[by_pk[pk] for pk in r.eliminated],
            exhausted=r.exhausted,
        )
        for r in result.rounds
    ]
    return PollResults(
        method=poll.method,
        rounds=rounds,
        winner=by_pk.get(result.winner),
        tied=[by_pk[pk] for pk in result.tied],
        ballots=len(ballots),
    )


def poll_close(*, poll: Poll, by, now: datetime | None = None) -> Poll:
    """Closes an open poll now (an organizer's decision, logged)."""
    now = now or timezone.now()
    _require_organizer(poll.group, by)
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
    return locked


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
    """Writes the poll's "closed" entry, once (the log's key makes a second call a no-op)."""
    results = poll_results(poll=poll)
    winner = results.winner.label if results.winner else ""
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
    generations.update(
        Poll.objects.filter(pk=poll.pk, closed_noted_at__isnull=True), closed_noted_at=now
    )
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
            voted = Ballot.objects.filter(poll=poll, member__isnull=False).values("member_id")
            ids = list(voter_ids(poll).exclude(user_id__in=voted))
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
    return f"{opened} polls announced, {reminded} poll reminders queued, {closed} polls closed"
