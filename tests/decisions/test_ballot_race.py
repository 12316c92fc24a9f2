"""Ballots under concurrency, on PostgreSQL: many members at once, one ballot each.

As tests/events/test_rsvp_race.py does for seats: each thread has its own database connection
and all are released together, so the casts really overlap.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from decisions import secrecy, services
from decisions.models import BallotBox, Option, Poll, VoterRoll
from decisions.services.rolls import eligible_freeze
from groups.models import Membership
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrency tests need PostgreSQL's row locks; SQLite locks the whole database "
            "(set DATABASE_URL, as .ci/run does)"
        )


def _members(group, count: int, prefix: str) -> list:
    user_model = get_user_model()
    users = [
        user_model(email=f"{prefix}{i}@example.org", display_name=f"{prefix} {i}")
        for i in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    users = user_model.objects.bulk_create(users)
    Membership.objects.bulk_create(Membership(group=group, user=user) for user in users)
    return users


def _poll(group, method: str, labels: list[str]) -> tuple[Poll, list[Option]]:
    now = timezone.now()
    poll = Poll.objects.create(
        group=group,
        question="Where do we meet next?",
        method=method,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    options = Option.objects.bulk_create(
        Option(poll=poll, label=label, position=i) for i, label in enumerate(labels)
    )
    return poll, options


def _freeze(poll) -> None:
    eligible_freeze(poll=poll, now=timezone.now())  # as poll_open does, once the members are in


def test_fifty_members_vote_at_once(group):
    poll, options = _poll(group, "ranked", ["Library", "Café", "Park"])
    members = _members(group, 50, "fifty")
    _freeze(poll)
    # Member i ranks option i % 3 first and the next one second.
    wanted = {m.pk: [options[i % 3], options[(i + 1) % 3]] for i, m in enumerate(members)}
    casts = {}

    def cast(m):
        casts[m.pk] = services.ballot_cast(poll=poll, member=m, choices=wanted[m.pk])

    errors = run_together([lambda m=m: cast(m) for m in members])
    assert errors == []
    # One roll row per member, one box row per ballot, each found by its member's receipt.
    assert sorted(
        VoterRoll.objects.filter(poll=poll).values_list("member_id", flat=True)
    ) == sorted(wanted)
    box = {b.receipt_hash: b.choices for b in BallotBox.objects.filter(poll=poll)}
    assert len(box) == 50
    assert {pk: box[secrecy.receipt_hash(poll.pk, casts[pk].receipt)] for pk in wanted} == {
        pk: [o.pk for o in choices] for pk, choices in wanted.items()
    }
    # By hand: first choices 17 Library (i = 0, 3, … 48), 17 Café, 16 Park; nobody has more
    # than 25, Park is eliminated and its 16 ballots go to their second choice, Library.
    results = services.poll_results(poll=poll)
    assert results.ballots == 50
    first = {o.label: votes for o, votes in _pairs(results.rounds[0].counts)}
    assert first == {"Library": 17, "Café": 17, "Park": 16}
    assert first == Counter(wanted[m.pk][0].label for m in members)
    final = {o.label: votes for o, votes in _pairs(results.final.counts)}
    assert (final["Library"], final["Café"]) == (33, 17)
    assert results.winner.label == "Library"


def _pairs(counts):
    """A round's counts, (option, votes) in option order (a dict or a list of pairs)."""
    return list(counts.items()) if isinstance(counts, dict) else list(counts)


def test_the_same_members_casting_three_times_at_once_keep_one_ballot_each(group):
    """Without a receipt only the first of a member's three casts at once is in: the other two
    are told they voted already (the roll's unique key, or the roll found under the lock)."""
    poll, options = _poll(group, "single", ["Red", "Green", "Blue"])
    members = _members(group, 10, "thrice")
    _freeze(poll)
    errors = run_together(
        [
            lambda m=m, o=o: services.ballot_cast(poll=poll, member=m, choices=[o])
            for m in members
            for o in options
        ]
    )
    assert len(errors) == 20
    assert all(
        isinstance(e, ValidationError) and e.error_dict["receipt"][0].code == "voted"
        for e in errors
    )
    roll = list(VoterRoll.objects.filter(poll=poll).values_list("member_id", flat=True))
    assert sorted(roll) == sorted(m.pk for m in members)
    ballots = list(BallotBox.objects.filter(poll=poll))
    assert len(ballots) == 10
    assert all(len(b.choices) == 1 and b.choices[0] in {o.pk for o in options} for b in ballots)
    assert services.poll_results(poll=poll).ballots == 10


def test_a_second_roll_row_for_the_same_person_is_refused(group):
    poll, options = _poll(group, "single", ["Yes", "No"])
    (member,) = _members(group, 1, "twice")
    _freeze(poll)
    services.ballot_cast(poll=poll, member=member, choices=[options[0]])
    with (
        pytest.raises(IntegrityError, match="decisions_roll_one_vote_per_person"),
        transaction.atomic(),
    ):
        VoterRoll.objects.create(
            poll=poll,
            member=None,
            voter_key=secrecy.voter_key("Twice0+other@Example.org"),
            voted_on=timezone.now().date(),
        )
    assert VoterRoll.objects.filter(poll=poll).count() == 1
    assert list(BallotBox.objects.filter(poll=poll).values_list("choices", flat=True)) == [
        [options[0].pk]
    ]


# --- Score, dots and dates: 50 at once each, counted exactly -------------------------------------


def test_fifty_score_ballots_at_once(group):
    poll, (library, cafe, park) = _poll(group, "score", ["Library", "Café", "Park"])
    members = _members(group, 50, "score")
    _freeze(poll)
    # Member i: Library i % 6 points, Café 5, Park 0. By hand: Library 8 × (0+1+2+3+4+5) = 120
    # plus i = 48, 49 giving 0 and 1 -> 121; Café 250; Park 0.
    wanted = {m.pk: {library: i % 6, cafe: 5, park: 0} for i, m in enumerate(members)}
    errors = run_together(
        [
            lambda m=m: services.ballot_cast(poll=poll, member=m, choices=wanted[m.pk])
            for m in members
        ]
    )
    assert errors == []
    assert BallotBox.objects.filter(poll=poll).count() == 50
    results = services.poll_results(poll=poll)
    assert results.ballots == 50
    assert {o.label: votes for o, votes in results.first.counts.items()} == {
        "Library": 121,
        "Café": 250,
        "Park": 0,
    }
    assert results.winner == cafe


def test_fifty_dots_ballots_at_once(group):
    poll, (library, cafe, park) = _poll(group, "dots", ["Library", "Café", "Park"])
    Poll.objects.filter(pk=poll.pk).update(dots=3)
    poll.refresh_from_db()
    members = _members(group, 50, "dots")
    _freeze(poll)
    # Even members: 3 on Library (25 × 3 = 75); odd ones: 2 on Park, 1 on Café (50 and 25).
    wanted = {m.pk: {park: 2, cafe: 1} if i % 2 else {library: 3} for i, m in enumerate(members)}
    errors = run_together(
        [
            lambda m=m: services.ballot_cast(poll=poll, member=m, choices=wanted[m.pk])
            for m in members
        ]
    )
    assert errors == []
    results = services.poll_results(poll=poll)
    assert results.ballots == BallotBox.objects.filter(poll=poll).count() == 50
    assert {o.label: votes for o, votes in results.first.counts.items()} == {
        "Library": 75,
        "Café": 25,
        "Park": 50,
    }
    assert results.winner == library


def test_fifty_dates_ballots_at_once(group):
    poll, (tue, thu) = _poll(group, "dates", ["Tue", "Thu"])
    members = _members(group, 50, "dates")
    _freeze(poll)
    # Member i: Tue yes when i % 5 == 0 (10), else if need be (40); Thu yes when i is odd (25),
    # else no (25). By hand: Thu 25 yes beats Tue 10 yes.
    wanted = {
        m.pk: {tue: "yes" if i % 5 == 0 else "if_need_be", thu: "yes" if i % 2 else "no"}
        for i, m in enumerate(members)
    }
    errors = run_together(
        [
            lambda m=m: services.ballot_cast(poll=poll, member=m, choices=wanted[m.pk])
            for m in members
        ]
    )
    assert errors == []
    results = services.poll_results(poll=poll)
    assert results.ballots == BallotBox.objects.filter(poll=poll).count() == 50
    assert results.rows() == [(tue, 10, (10, 40, 0)), (thu, 25, (25, 0, 25))]
    assert results.winner == thu
