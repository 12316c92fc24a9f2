"""Writes in decisions: proposals and their support, polls and ballots, and the emails and log
entries they cause.

Every function checks who may do it, runs in one transaction, writes the transparency log where
what it does affects members (groups.services.log_record) and queues its emails after commit.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from conversation.models import Category
from conversation.services import thread_start
from events.models import RSVP, EmailKind, Event, EventStatus, RSVPStatus
from events.notifications import notify
from events.services import _unique_slug, event_save
from events.translation import in_main_language
from groups.access import viewer_for
from groups.generations import data_changed
from groups.languages import languages
from groups.markdown import markdown_store
from groups.models import Group, LogKind, Membership
from groups.services import log_record

from . import counting
from .models import (
    Ballot,
    Option,
    Poll,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Support,
    Voters,
)

PROPOSALS_CATEGORY = gettext_noop("Proposals")
MAX_OPTIONS = 20
REMIND_BEFORE = timedelta(days=1)
# Other names callers use for the three methods.
METHOD_NAMES = {
    "single_choice": counting.Method.SINGLE,
    "plurality": counting.Method.SINGLE,
    "instant_runoff": counting.Method.RANKED,
    "irv": counting.Method.RANKED,
    "ranked_choice": counting.Method.RANKED,
}
RESULTS_CACHED = 60 * 60 * 24 * 7  # a closed poll's count, a week (it cannot change)


def _send_batch():
    from .tasks import send_batch  # decisions.tasks imports this module's models only

    return send_batch


def _require_member(group: Group, member):
    looking = viewer_for(member, group)
    if not looking.is_member:
        raise PermissionDenied(_("Only members of the group can do this."))
    return looking


def _require_organizer(group: Group, member):
    looking = viewer_for(member, group)
    if not looking.is_organizer:
        raise PermissionDenied(_("Only organizers can do this."))
    return looking


def _interested(group: Group, *, exclude=None) -> list[int]:
    """Members who asked for emails about new proposals and polls."""
    members = Membership.objects.active().filter(
        group=group, user__is_active=True, user__notify_decisions=True
    )
    if exclude is not None:
        members = members.exclude(user=exclude)
    return list(members.values_list("user_id", flat=True))


# --- Proposals ---------------------------------------------------------------------------------


def _proposals_category(group: Group) -> Category:
    """The board's section for proposals, named in each language ("Proposals", "Propuestas")
    when it is made; found by its name in the main language."""
    main = f"name_{settings.LANGUAGE_CODE}__iexact"
    category = (
        Category.objects.rewrite(False).filter(group=group, **{main: PROPOSALS_CATEGORY}).first()
    )
    if category is None:
        names = {}
        for code in languages():
            with translation.override(code):
                names[f"name_{code}"] = _(PROPOSALS_CATEGORY)
        category = Category.objects.create(group=group, position=90, **names)
    return category


def proposal_add(*, group: Group, author, kind: str, title: str, body: str = "",
                 contact: str = "", now: datetime | None = None) -> Proposal:  # fmt: skip
    """A member's proposal, with a discussion of its own on the board (the conversation app's,
    so its posting limit and mutes apply); members who asked are emailed."""
    now = now or timezone.now()
    _require_member(group, author)
    title = " ".join((title or "").split())
    errors = {}
    if not title:
        errors["title"] = _("Give the proposal a title.")
    if kind not in ProposalKind.values:
        errors["kind"] = _("Choose a topic, a guest speaker or a breakout theme.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        proposal = Proposal(
            group=group,
            kind=kind,
            title=title,
            body=(body or "").strip(),
            contact=(contact or "").strip() if kind == ProposalKind.GUEST else "",
            author=author,
            created_at=now,
        )
        proposal.full_clean(exclude=["thread"])
        markdown_store(proposal)
        proposal.save()
        proposal.thread = thread_start(
            group=group,
            author=author,
            title=title,
            body=_("Comments on the proposal [%(title)s](%(url)s).")
            % {"title": title.replace("]", ""), "url": proposal.get_absolute_url()},
            category=_proposals_category(group),
            now=now,
        )
        proposal.save(update_fields=["thread"])
        data_changed()
        notify(
            kind=EmailKind.PROPOSAL,
            user_ids=_interested(group, exclude=author),
            event=None,
            extra={"proposal_id": proposal.pk},
            task=_send_batch(),
        )
    return proposal


def _supportable(proposal: Proposal, member) -> None:
    _require_member(proposal.group, member)
    if proposal.author_id == member.pk:
        raise ValidationError(_("This is your own proposal: others support it."), code="own")
    if proposal.status not in (ProposalStatus.OPEN, ProposalStatus.PLANNED):
        raise ValidationError(_("This proposal is no longer open for support."), code="closed")


def proposal_support(*, proposal: Proposal, member) -> Support:
    """One support per member: supporting twice keeps the one."""
    _supportable(proposal, member)
    with transaction.atomic():
        try:
            with transaction.atomic():
                support = Support.objects.create(proposal=proposal, member=member)
        except IntegrityError:
            return Support.objects.get(proposal=proposal, member=member)
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
        data_changed()
    return support


def proposal_withdraw_support(*, proposal: Proposal, member) -> None:
    with transaction.atomic():
        deleted, _by_model = Support.objects.filter(proposal=proposal, member=member).delete()
        if deleted:
            Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") - 1)
            data_changed()


def _decide(proposal: Proposal, *, by, status: str, reason: str = "", event=None) -> Proposal:
    _require_organizer(proposal.group, by)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        locked.status = status
        locked.decline_reason = reason if status == ProposalStatus.DECLINED else ""
        locked.decided_at = None if status == ProposalStatus.OPEN else timezone.now()
        if event is not None:
            locked.event = event
        locked.save(update_fields=["status", "decline_reason", "decided_at", "event"])
        data_changed()
    return locked


def proposal_plan(*, proposal: Proposal, by) -> Proposal:
    """The organizers mean to do it (no event yet)."""
    return _decide(proposal, by=by, status=ProposalStatus.PLANNED)


def proposal_reopen(*, proposal: Proposal, by) -> Proposal:
    return _decide(proposal, by=by, status=ProposalStatus.OPEN)


def proposal_decline(*, proposal: Proposal, by, reason: str) -> Proposal:
    """Declined with a reason members read; the transparency log says so."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: members read the reason.")}, code="no_reason")
    with transaction.atomic():
        declined = _decide(proposal, by=by, status=ProposalStatus.DECLINED, reason=reason)
        log_record(group=declined.group_id, kind=LogKind.PROPOSAL_DECLINED, by=by,
                   title=declined.title, url=declined.get_absolute_url(),
                   detail=reason)  # fmt: skip
    return declined


def _draft_start(group: Group, now: datetime) -> datetime:
    """A placeholder time for the draft: four weeks ahead, at 6:30 PM in the group's zone."""
    day = (now.astimezone(group.zone) + timedelta(days=28)).date()
    return datetime.combine(day, time(18, 30), tzinfo=group.zone)


@in_main_language
def proposal_to_event(*, proposal: Proposal, by) -> Event:
    """Turns a proposal into a draft event with its text; the proposal is scheduled and linked
    to it, and the event page credits the proposer from it (to members, once published)."""
    _require_organizer(proposal.group, by)
    group = proposal.group
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.event_id is not None:
            raise ValidationError(
                _("This proposal already became an event."), code="already_scheduled"
            )
        starts_at = _draft_start(group, timezone.now())
        event = Event(
            group=group,
            title=locked.title,
            slug=_unique_slug(slugify(locked.title)[:180] or "proposal"),
            # The proposer is credited on the event page from the proposal, not in this text,
            # so the credit follows them if they delete their account.
            description=locked.body,
            status=EventStatus.DRAFT,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        )
        event = event_save(event=event, by=by)
        scheduled = _decide(locked, by=by, status=ProposalStatus.SCHEDULED, event=event)
        log_record(group=group, kind=LogKind.PROPOSAL_SCHEDULED, by=by,
                   title=scheduled.title, url=scheduled.get_absolute_url())  # fmt: skip
    return event


# --- Polls -------------------------------------------------------------------------------------


def may_open_polls(group: Group, member) -> bool:
    looking = viewer_for(member, group)
    return looking.is_organizer or (looking.is_member and group.members_open_polls)


def poll_open(*, group: Group, by, question: str, options, method: str, opens_at: datetime,
              closes_at: datetime, voters: str = Voters.MEMBERS, event: Event | None = None,
              details: str = "", results_while_open: bool = False,
              now: datetime | None = None) -> Poll:  # fmt: skip
    """Opens a poll (now, or at opens_at): organizers, or any member when the group allows it.
    Logged; members who asked are emailed when it opens."""
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
    with transaction.atomic():
        poll = Poll(
            group=group,
            question=question,
            details=(details or "").strip(),
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
        Option.objects.bulk_create(
            [Option(poll=poll, label=label, position=i) for i, label in enumerate(labels)]
        )
        log_record(group=group, kind=LogKind.POLL_OPENED, by=by, title=question,
                   url=poll.get_absolute_url(), at=now)  # fmt: skip
        data_changed()
        if opens_at <= now:
            _announce_poll(poll, exclude=by)
    return poll


def _announce_poll(poll: Poll, *, exclude=None) -> None:
    Poll.objects.filter(pk=poll.pk).update(announced_at=timezone.now())
    interested = _interested(poll.group, exclude=exclude)
    if poll.voters == Voters.ATTENDEES:
        interested = sorted(set(voter_ids(poll)) & set(interested))
    notify(
        kind=EmailKind.POLL,
        user_ids=interested,
        event=None,
        extra={"poll_id": poll.pk},
        task=_send_batch(),
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
        if not ballots.update(choices=ids, cast_at=now):
            try:
                with transaction.atomic():
                    Ballot.objects.create(poll=poll, member=member, choices=ids, cast_at=now)
            except IntegrityError:  # their other ballot, cast at the same moment, came first
                ballots.update(choices=ids, cast_at=now)
        ballot = ballots.get()
        if poll.results_while_open:
            data_changed()
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


def _note_closed(poll: Poll, *, by, now: datetime) -> bool:
    """Writes the poll's "closed" entry, once (the log's key makes a second call a no-op)."""
    results = poll_results(poll=poll)
    winner = results.winner.label if results.winner else ""
    entry = log_record(group=poll.group_id, kind=LogKind.POLL_CLOSED, by=by,
                       title=poll.question, url=poll.get_absolute_url(), detail=winner,
                       key=f"poll-closed:{poll.pk}", at=min(now, poll.closes_at))  # fmt: skip
    Poll.objects.filter(pk=poll.pk, closed_noted_at__isnull=True).update(closed_noted_at=now)
    data_changed()
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
            Poll.objects.filter(pk=poll.pk).update(reminded_at=now)
            voted = Ballot.objects.filter(poll=poll, member__isnull=False).values("member_id")
            ids = list(voter_ids(poll).exclude(user_id__in=voted))
            notify(
                kind=EmailKind.POLL_REMINDER,
                user_ids=ids,
                event=None,
                extra={"poll_id": poll.pk},
                task=_send_batch(),
            )
            queued += len(ids)
    return queued


def periodic() -> str:
    """What send_reminders runs for decisions (groups.hooks.periodic_register)."""
    opened = polls_announce_due()
    reminded = poll_reminders_send()
    closed = polls_close_due()
    return f"{opened} polls announced, {reminded} poll reminders queued, {closed} polls closed"


# --- Account deletion --------------------------------------------------------------------------


def member_data_delete(member, keep_writing: bool) -> None:
    """On account deletion, inside its transaction: their supports go (the counts follow);
    their ballots stay, nobody's, so no count changes; their proposals go or stay signed "a
    former member" as they chose."""
    supported = list(Support.objects.filter(member=member).values_list("proposal_id", flat=True))
    Support.objects.filter(member=member).delete()
    if supported:
        Proposal.objects.filter(pk__in=supported).update(support_count=F("support_count") - 1)
    Ballot.objects.filter(member=member).update(member=None)
    if not keep_writing:
        Proposal.objects.filter(author=member).delete()
    data_changed()
