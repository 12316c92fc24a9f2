"""Elections: a ranked poll whose close hands a role to the members elected (single
transferable vote for several seats, instant runoff for one), and a reminder before the term
ends. Candidates are public; ballots stay as secret as any poll's."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import generations
from core.emails.outbox import emails_queue
from groups.models import Group, Membership, Role
from groups.services import is_last_organizer, membership_set_role

from .. import counting, stv
from ..emails import DecisionEmail
from ..models import BallotBox, Candidate, ElectedRole, Election, Option, Poll
from .common import RESULTS_CACHED, _interested, _require_organizer
from .polls import poll_open

# Members are reminded this long before a term ends, to hold the next election in time.
TERM_REMINDER_BEFORE = timedelta(days=14)
MAX_SEATS = 10


def _question(role: str, seats: int) -> str:
    return ngettext(
        "Election: %(role)s, %(count)s seat",
        "Election: %(role)s, %(count)s seats",
        seats,
    ) % {"role": ElectedRole(role).label, "count": seats}


def election_open(
    *,
    group: Group,
    by,
    role: str,
    seats: int,
    candidates,
    closes_at: datetime,
    term_ends: datetime,
    now: datetime | None = None,
) -> Poll:
    """Opens an election (organizers): a ranked poll, open now, with one option per
    candidate (members, named). Its close elects `seats` of them to `role` until `term_ends`."""
    now = now or timezone.now()
    _require_organizer(group, by)
    errors = {}
    if role not in ElectedRole.values:
        errors["role"] = _("Choose the role the election is for.")
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        errors["seats"] = _("Give a number of seats from 1 to %(most)s.") % {"most": MAX_SEATS}
    people = list(dict.fromkeys(candidates))
    members = {
        m.user_id: m.user
        for m in Membership.objects.active()
        .filter(group=group, user__in=[getattr(p, "pk", p) for p in people], user__is_active=True)
        .select_related("user")
    }
    if any(getattr(p, "pk", p) not in members for p in people):
        errors["candidates"] = _("Candidates must be members of the group.")
    elif len(people) < 2:
        errors["candidates"] = _("Give at least two candidates.")
    elif "seats" not in errors and len(people) < seats:
        errors["candidates"] = _("Give at least as many candidates as seats.")
    if term_ends <= closes_at:
        errors["term_ends"] = _("The term must end after the election closes.")
    if errors:
        raise ValidationError(errors, code="invalid")
    users = [members[getattr(p, "pk", p)] for p in people]
    labels = _labels(users)
    with transaction.atomic():
        with translation.override(settings.LANGUAGE_CODE):
            question = _question(role, seats)
        with translation.override("es"):
            question_es = _question(role, seats)
        try:
            poll = poll_open(
                group=group,
                by=by,
                question=question,
                question_es=question_es,
                options=labels,
                method=counting.Method.RANKED,
                opens_at=now,
                closes_at=closes_at,
                now=now,
            )
        except ValidationError as error:
            raise ValidationError(
                {("candidates" if k == "options" else k): v for k, v in error.error_dict.items()}
            ) from error
        election = Election.objects.create(poll=poll, role=role, seats=seats, term_ends=term_ends)
        options = {o.label: o for o in poll.options.all()}
        generations.bulk_create(
            Candidate,
            [
                Candidate(election=election, option=options[label], member=user)
                for label, user in zip(labels, users, strict=True)
            ],
        )
    return poll


def _labels(users) -> list[str]:
    """Each candidate's name; the same name twice is told apart by a number."""
    labels, seen = [], {}
    for user in users:
        name = " ".join(user.display_name.split()) or str(user.pk)
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
        labels.append(name if seen[name.casefold()] == 1 else f"{name} ({seen[name.casefold()]})")
    return labels


def ballot_choices(poll: Poll) -> list[list[int]]:
    """Every ballot's choices, in order: the one place elections read the ballot box."""
    return [list(c) for c in BallotBox.objects.filter(poll=poll).values_list("choices", flat=True)]


@dataclass(frozen=True)
class StageView:
    counts: dict  # {Option: Fraction}
    transferred: Option | None
    excluded: bool
    elected: list
    exhausted: object


@dataclass(frozen=True)
class ElectionResults:
    seats: int
    quota: int | None  # None for one seat (instant runoff: more than half)
    stages: list[StageView]  # empty for one seat: the poll's own rounds show the count
    elected: list[Option]
    ballots: int


def election_results(*, election: Election) -> ElectionResults:
    """Who is elected: single transferable vote for several seats, instant runoff for one.
    A closed election's count cannot change: kept in the cache once made, as poll_results."""
    poll = election.poll
    if not poll.is_closed():
        return _count(election)
    key = f"election-results:{poll.pk}:{poll.created_at.timestamp()}:{poll.closes_at.timestamp()}"
    results = cache.get(key)
    if results is None:
        results = _count(election)
        cache.set(key, results, timeout=RESULTS_CACHED)
    return results


def _count(election: Election) -> ElectionResults:
    options = list(election.poll.options.all())
    by_pk = {o.pk: o for o in options}
    ballots = [[pk for pk in b if pk in by_pk] for b in ballot_choices(election.poll)]
    keys = list(by_pk)
    if election.seats == 1:
        result = counting.count_ranked(keys, ballots)
        elected = [by_pk[result.winner]] if result.winner is not None else []
        return ElectionResults(1, None, [], elected, len(ballots))
    result = stv.count_stv(keys, ballots, election.seats)
    stages = [
        StageView(
            counts={by_pk[k]: v for k, v in s.counts.items()},
            transferred=by_pk.get(s.transferred),
            excluded=s.excluded,
            elected=[by_pk[k] for k in s.elected],
            exhausted=s.exhausted,
        )
        for s in result.stages
    ]
    # Nobody ranked anyone: nobody is elected, however many seats.
    elected = [by_pk[k] for k in result.elected] if any(ballots) else []
    return ElectionResults(election.seats, result.quota, stages, elected, len(ballots))


def election_apply(poll: Poll, *, now: datetime) -> str:
    """At the close: the elected get the role and the holders not re-elected step down (each
    logged by membership_set_role), but never the group's last organizer. With no ballot,
    nothing changes. Returns the names elected, for the log's "closed" entry ("" for none)."""
    election = Election.objects.select_for_update().filter(poll=poll).first()
    if election is None or election.applied_at is not None:
        return ""
    results = election_results(election=election)
    generations.update(Election.objects.filter(pk=election.pk), applied_at=now)
    if not results.elected:
        return ""
    winners = dict(
        Candidate.objects.filter(election=election, option__in=results.elected).values_list(
            "member_id", "option__label"
        )
    )
    group_id = poll.group_id
    memberships = Membership.objects.active().filter(group_id=group_id)
    for membership in memberships.filter(user_id__in=winners):
        keeps_higher = membership.role == Role.ORGANIZER and election.role != Role.ORGANIZER
        if membership.role != election.role and not keeps_higher:
            membership_set_role(membership=membership, role=election.role, by=None)
    for membership in memberships.filter(role=election.role).exclude(user_id__in=winners):
        if not is_last_organizer(membership):
            membership_set_role(membership=membership, role=Role.MEMBER, by=None)
    return ", ".join(o.label for o in results.elected)


def elections_remind_due(*, now: datetime | None = None) -> int:
    """Some days before an elected term ends: members who follow decisions are emailed, once."""
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        due = list(
            Election.objects.filter(
                applied_at__isnull=False,
                reminded_at__isnull=True,
                term_ends__gt=now,
                term_ends__lte=now + TERM_REMINDER_BEFORE,
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("poll__group")
            .order_by("term_ends", "pk")[:100]
        )
        for election in due:
            generations.update(Election.objects.filter(pk=election.pk), reminded_at=now)
            ids = _interested(election.poll.group)
            emails_queue(
                kind=DecisionEmail.TERM_ENDING, user_ids=ids, params={"election_id": election.pk}
            )
            queued += len(ids)
    return queued


def terms_periodic() -> str:
    """What send_reminders runs for elections (core.hooks.periodic)."""
    return f"{elections_remind_due()} term reminders queued"
