"""The election and settings-poll pages: constant queries with 10 or 1,000 members and
ballots, and what the poll page says of an election.

The closed election is built once for each size and its page counted there for both roles,
in a transaction rolled back at once (as tests/decisions/test_query_counts.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.generations import data_changed
from decisions import services
from decisions.models import BallotBox, Election, Poll
from tests.decisions.test_query_counts import _client, _get, _people, _voters
from tests.worlds import counted, pinned, seen_at_sizes

pytestmark = pytest.mark.django_db

ROLES = ("member", "organizer")
SIZES = (10, 1000)


def _closed_election(group, organizer, voters):
    """Two seats among four candidates, closed: ballot i ranks candidate i % 4 first, then
    the next one, so every candidate has a share (counted by STV at each page view)."""
    poll = services.election_open(
        group=group,
        by=organizer,
        role="co_organizer",
        seats=2,
        candidates=voters[:4],
        closes_at=timezone.now() + timedelta(days=1),
        term_ends=timezone.now() + timedelta(days=365),
    )
    keys = list(poll.options.values_list("pk", flat=True))
    BallotBox.objects.bulk_create(
        (
            BallotBox(poll=poll, choices=[keys[i % 4], keys[(i + 1) % 4]], receipt_hash=str(i))
            for i, v in enumerate(voters)
        ),
        batch_size=500,
    )
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(minutes=1)
    )
    data_changed()
    return Poll.objects.get(pk=poll.pk)


# The group with its generation, session, user, membership role; the poll with its election
# and settings poll (one join), its options, the viewer's ballot; the instant-runoff count the
# page makes for every closed poll (options, ballots) and the transferable-vote count (options,
# ballots): each one query however many ballots.
CLOSED_ELECTION = {"member": 11, "organizer": 11}


@pytest.fixture(scope="module")
def closed_election_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        poll = _closed_election(group, people["organizer"], _voters(group, size))
        seen = {}
        for role in ROLES:
            response, sql = counted(_client(people[role]), poll.get_absolute_url())
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "results": response.context["election_results"],
                "text": response.text,
            }
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_closed_election_page_constant(closed_election_seen, role, size):
    seen = closed_election_seen[size][role]
    pinned(seen["sql"], CLOSED_ELECTION[role])
    assert seen["status"] == 200
    results = seen["results"]
    assert results.ballots == size
    assert results.quota == size // 3 + 1
    # First choices 3, 3, 2, 2 (10 ballots) or 250 each (1,000): nobody reaches the quota;
    # Voter 3, tied for the fewest and listed last, is excluded first, and their ballots go to
    # their second choice, Voter 0, who is elected; Voter 0's surplus then elects Voter 1.
    assert results.stages[1].transferred.label == "Voter 3"
    assert [o.label for o in results.elected] == ["Voter 0", "Voter 1"]
    text = seen["text"]
    assert "Stage 2" in text
    assert "Elected: Voter 0, Voter 1." in text
    assert "Round 1" not in text  # the instant-runoff rounds are not shown for several seats


# The group with its generation, session, user, membership role; the members who may stand
# (one query, however many).
ELECTION_NEW = 5


@pytest.mark.parametrize("size", SIZES)
def test_election_form_constant(django_assert_num_queries, group, organizer, size):
    _voters(group, size)
    response = _get(
        _client(organizer),
        reverse("decisions:election_new"),
        django_assert_num_queries,
        ELECTION_NEW,
    )
    assert len(response.context["form"].fields["candidates"].choices) == size + 1


SETTING_NEW = 5


def test_setting_poll_form_constant(django_assert_num_queries, group, organizer):
    _voters(group, 10)
    _get(
        _client(organizer),
        reverse("decisions:setting_poll_new"),
        django_assert_num_queries,
        SETTING_NEW,
    )


def test_poll_page_shows_the_election(client, group, organizer):
    ana, ben = _voters(group, 2)
    poll = services.election_open(
        group=group,
        by=organizer,
        role="organizer",
        seats=1,
        candidates=[ana, ben],
        closes_at=timezone.now() + timedelta(days=1),
        term_ends=timezone.now() + timedelta(days=365),
    )
    client.force_login(ana)
    text = client.get(poll.get_absolute_url()).text
    assert "This election chooses 1 Organizer." in text
    assert "Candidates: Voter 0, Voter 1" in text
    assert Election.objects.get(poll=poll).seats == 1
