"""Decisions pages run the same number of queries with a few rows or a thousand.

As tests/conversation/test_query_counts.py does: rows are bulk-created as the services store
them (Markdown rendered, support counts kept), core.generations.data_changed() marks the
pages stale, and each page is asked for by a member and by an organizer (who also sees how
many ballots an open poll has, and the decide and close forms). Every page is rendered cold:
the caches emptied first.

Each page's rows are built once for each size and every role's page is counted on them, in
a transaction rolled back at once (tests/worlds.py), not built again for each role: each test
then asserts its own role's figures (as tests/home/test_query_counts_signedin.py).
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.generations import data_changed
from core.markdown import markdown_store
from decisions import secrecy
from decisions.log_views import LOG_PER_PAGE
from decisions.models import BallotBox, Option, Poll, Proposal, Support, VoterRoll
from decisions.services.rolls import eligible_freeze
from decisions.views import POLLS_PER_PAGE, PROPOSALS_PER_PAGE
from groups.models import LogEntry, LogKind, Membership, Role
from tests.decisions.rolls import enrol
from tests.factories import GroupFactory, MembershipFactory, UserFactory, organizer_for
from tests.worlds import counted, counted_warm, pinned, seen_at_sizes

pytestmark = pytest.mark.django_db

ROLES = ("member", "organizer")
SIZES = (10, 1000)
KINDS = ("topic", "guest", "breakout")
STATUSES = ("open", "open", "planned", "declined", "scheduled")
OPTIONS = ("Housing co-ops", "Data trusts", "Worker-owned apps", "Mutual aid tools")


def _people():
    """A new group (returned first) and its people, as the group, member and organizer
    fixtures make them. Authors: the member (some proposals are theirs), two others, and a
    former member."""
    translation.deactivate()  # as tests/conftest.py's _main_language, not yet in force
    group = GroupFactory()
    member = MembershipFactory(group=group, role=Role.MEMBER).user
    organizer = organizer_for(group)
    return group, {
        "member": member,
        "organizer": organizer,
        "authors": [member, UserFactory(), UserFactory(), None],
    }


def _voters(group, count: int) -> list:
    """count members, made at once (no password hashing, no verified address)."""
    user_model = get_user_model()
    users = [
        user_model(email=f"voter{i}@example.org", display_name=f"Voter {i}") for i in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    users = user_model.objects.bulk_create(users, batch_size=500)
    Membership.objects.bulk_create(
        (Membership(group=group, user=user) for user in users), batch_size=500
    )
    return users


def _proposals(group, count: int, authors, supporter) -> list[Proposal]:
    """count proposals of every kind and status, newest first; the supporter backs every
    third one (not their own) and the counts say so."""
    now = timezone.now()
    template = Proposal(body="Why *not*? See [this](https://example.org).")
    markdown_store(template)
    rows = Proposal.objects.bulk_create(
        (
            Proposal(
                group=group,
                kind=KINDS[i % 3],
                title=f"Proposal {i}",
                body=template.body,
                body_html=template.body_html,
                contact="guest@example.org" if KINDS[i % 3] == "guest" else "",
                author=authors[i % len(authors)],
                status=STATUSES[i % len(STATUSES)],
                decline_reason="Not now" if STATUSES[i % len(STATUSES)] == "declined" else "",
                support_count=i % 7,
                created_at=now - timedelta(minutes=i),
            )
            for i in range(count)
        ),
        batch_size=500,
    )
    Support.objects.bulk_create(
        (
            Support(proposal=p, member=supporter)
            for i, p in enumerate(rows)
            if i % 3 == 0 and p.author != supporter
        ),
        batch_size=500,
    )
    data_changed()
    return rows


def _poll(group, by, *, method="ranked", closed=False, **more) -> Poll:
    now = timezone.now()
    poll = Poll(
        group=group,
        question="What should the next evening be about?",
        details="Choose *well*.",
        method=method,
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(hours=1) if closed else now + timedelta(days=3),
        created_by=by,
        **more,
    )
    markdown_store(poll)
    poll.save()
    Option.objects.bulk_create(
        Option(poll=poll, label=label, position=i) for i, label in enumerate(OPTIONS)
    )
    eligible_freeze(poll=poll, now=timezone.now())  # as poll_open does
    return poll


def _ballots(poll, voters) -> None:
    """One ballot per voter, ranking from one to all four options; every tenth abstains from
    its second choice on."""
    keys = list(poll.options.values_list("pk", flat=True))
    enrol(poll, *voters)
    VoterRoll.objects.bulk_create(
        (
            VoterRoll(
                poll=poll,
                member=voter,
                voter_key=secrecy.voter_key(voter.email),
                voted_on=poll.opens_at.date(),
            )
            for voter in voters
        ),
        batch_size=500,
    )
    BallotBox.objects.bulk_create(
        (
            BallotBox(
                poll=poll,
                choices=[keys[(i + j) % 4] for j in range(1 if i % 10 == 0 else 1 + i % 4)],
                receipt_hash=secrecy.receipt_hash(poll.pk, f"receipt {i}"),
            )
            for i in range(len(voters))
        ),
        batch_size=500,
    )
    data_changed()


def _log(group, count: int, actors) -> None:
    now = timezone.now()
    kinds = list(LogKind)
    LogEntry.objects.bulk_create(
        (
            LogEntry(
                group=group,
                kind=kinds[i % len(kinds)],
                at=now - timedelta(minutes=i),
                actor=actors[i % len(actors)],
                member=actors[(i + 1) % len(actors)] if i % 3 == 0 else None,
                title=f"Thing {i}",
                url=f"/events/thing-{i}/",
                detail="title,starts_at" if kinds[i % len(kinds)] == "event_changed" else "",
            )
            for i in range(count)
        ),
        batch_size=500,
    )
    data_changed()


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _get(client, url, queries, expected):
    """GET url within django_assert_num_queries(expected), the caches emptied first."""
    for cache in caches.all():
        cache.clear()
    with queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


# --- Proposals -----------------------------------------------------------------------------------

# The group with its generation, session, user, membership role; count, the page of 25 with
# authors and whether the viewer supports each (one EXISTS per row, in the same query).
PROPOSALS = {"member": 6, "organizer": 6}


@pytest.fixture(scope="module")
def proposals_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        rows = _proposals(group, size, people["authors"], people["member"])
        seen = {"shown": len([p for p in rows if p.status in ("open", "planned")])}
        for role in ROLES:
            response, sql = counted(_client(people[role]), reverse("decisions:proposals"))
            listed = list(response.context["proposals"])
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "listed": [(p.pk, p.support_count, p.supported) for p in listed],
                "count": response.context["paginator"].count,
                "expected": set(
                    Support.objects.filter(
                        member=people["member"], proposal__in=listed
                    ).values_list("proposal", flat=True)
                ),
            }
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_proposals_constant(proposals_seen, role, size):
    seen = proposals_seen[size][role]
    pinned(seen["sql"], PROPOSALS[role])
    assert seen["status"] == 200
    listed = seen["listed"]
    shown = proposals_seen[size]["shown"]
    assert len(listed) == min(PROPOSALS_PER_PAGE, shown)
    assert seen["count"] == shown
    counts = [support_count for _, support_count, _ in listed]
    assert counts == sorted(counts, reverse=True)
    supported = {pk for pk, _, supports in listed if supports}
    assert supported == (seen["expected"] if role == "member" else set())


# The group with its generation, session, user, membership role; the proposal with author,
# event and discussion; whether the viewer supports it.
PROPOSAL_PAGE = {"member": 6, "organizer": 6}


@pytest.fixture(scope="module")
def proposal_page_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        rows = _proposals(group, size, people["authors"], people["member"])
        # The first proposal, supported by size voters (and counted).
        voters = _voters(group, size)
        Support.objects.bulk_create(
            (Support(proposal=rows[0], member=v) for v in voters), batch_size=500
        )
        Proposal.objects.filter(pk=rows[0].pk).update(support_count=size + 1)
        seen = {"decide": reverse("decisions:proposal_decide", args=[rows[0].pk])}
        for role in ROLES:
            response, sql = counted(_client(people[role]), rows[0].get_absolute_url())
            seen[role] = {"sql": sql, "status": response.status_code, "text": response.text}
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_proposal_page_constant(proposal_page_seen, role, size):
    seen = proposal_page_seen[size][role]
    pinned(seen["sql"], PROPOSAL_PAGE[role])
    assert seen["status"] == 200
    assert f"{size + 1} members support it" in seen["text"]
    assert (proposal_page_seen[size]["decide"] in seen["text"]) == (role == "organizer")


# --- Polls ---------------------------------------------------------------------------------------

# The group with its generation, session, user, membership role; count; the membership role
# again (services.may_open_polls asks it anew); the page of 25.
POLLS = {"member": 7, "organizer": 7}


@pytest.fixture(scope="module")
def polls_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        now = timezone.now()
        polls = Poll.objects.bulk_create(
            (
                Poll(
                    group=group,
                    question=f"Question {i}?",
                    opens_at=now - timedelta(days=i + 1),
                    closes_at=now + timedelta(days=10 - i),
                    created_by=people["organizer"],
                )
                for i in range(size)
            ),
            batch_size=500,
        )
        voted = _poll(group, people["organizer"])  # on the first page, with its ballots
        _ballots(voted, _voters(group, size))
        everything = sorted([voted, *polls], key=lambda p: (p.closes_at, p.pk), reverse=True)
        seen = {"everything": [p.pk for p in everything], "voted": voted.pk}
        for role in ROLES:
            response, sql = counted(_client(people[role]), reverse("decisions:polls"))
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "listed": [p.pk for p in response.context["polls"]],
                "count": response.context["paginator"].count,
            }
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_polls_constant(polls_seen, role, size):
    seen = polls_seen[size][role]
    pinned(seen["sql"], POLLS[role])
    assert seen["status"] == 200
    everything = polls_seen[size]["everything"]
    assert seen["listed"] == everything[:POLLS_PER_PAGE]
    assert polls_seen[size]["voted"] in everything[:POLLS_PER_PAGE]
    assert seen["count"] == size + 1


# Open, with the ballot form: the group with its generation, session, user, membership role;
# the poll, its options, whether the viewer voted (the roll, an EXISTS), whether they may vote
# (the eligible roll and their membership, one EXISTS); organizers
# also see how many ballots are in (a COUNT), never what they say.
OPEN_POLL = {"member": 8, "organizer": 9}
# Closed, ranked results with their rounds, counted (the cache empty): the group with its
# generation, session, user, membership role; the poll, its options, whether the viewer voted;
# the
# count: the options again and every ballot's choices (one query, however many ballots).
CLOSED_POLL = {"member": 9, "organizer": 9}
# The same page for another person of the same role: a closed poll's count is kept
# (decisions.services.poll_results).
CLOSED_POLL_COUNTED = {"member": 7, "organizer": 7}
# The same page again for the same person: their own copy (home/personal.py): the group with
# its generation, session, user.
PERSONAL_PAGE_HIT = 3
# A first ballot, answered with its receipt: the group with its generation, session, user,
# membership role; the poll, its options, whether the viewer voted, whether they may vote;
# ballot_cast: may_vote again, the options, the transaction's savepoint, the locked poll, the
# roll looked up, the roll row (in a savepoint of its own, released) and the box row, and the
# generation bump; however many ballots the poll holds.
FIRST_BALLOT = 17


@pytest.fixture(scope="module")
def open_poll_seen(django_db_setup, django_db_blocker):
    """The open poll's page for each role, and the member's first ballot on it (test_casting_
    a_ballot_constant), cast first and rolled back, so the pages count size ballots."""

    def look(size):
        group, people = _people()
        poll = _poll(group, people["organizer"])
        _ballots(poll, _voters(group, size))
        rank = f"rank_{poll.options.first().pk}"
        seen = {"rank": rank}
        with transaction.atomic():
            response, sql = counted(
                _client(people["member"]), poll.get_absolute_url(), "post", {rank: "1"}
            )
            seen["cast"] = {
                "sql": sql,
                "status": response.status_code,
                "text": response.text,
                "ballots": poll.ballots.count(),
            }
            transaction.set_rollback(True)
        for role in ROLES:
            response, sql = counted(_client(people[role]), poll.get_absolute_url())
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "text": response.text,
                "may_vote": response.context["may_vote"],
                "results": response.context["results"],
            }
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_open_poll_page_constant(open_poll_seen, role, size):
    seen = open_poll_seen[size][role]
    pinned(seen["sql"], OPEN_POLL[role])
    assert seen["status"] == 200
    assert seen["may_vote"] is True
    assert seen["results"] is None
    assert f'name="{open_poll_seen[size]["rank"]}"' in seen["text"]
    assert (f"{size} ballots so far." in seen["text"]) == (role == "organizer")


@pytest.fixture(scope="module")
def closed_poll_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        poll = _poll(group, people["organizer"], closed=True)
        _ballots(poll, _voters(group, size))
        seen = {}
        for role in ROLES:
            client = _client(people[role])
            response, sql = counted(client, poll.get_absolute_url())
            cached, cached_sql = counted_warm(client, poll.get_absolute_url())
            same_role = Membership.objects.get(group=group, user=people[role]).role
            other = _client(MembershipFactory(group=group, role=same_role).user)
            again, again_sql = counted_warm(other, poll.get_absolute_url())
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "text": response.text,
                "results": response.context["results"],
                "cached_sql": cached_sql,
                "cached": cached.text,
                "again_sql": again_sql,
                "again": again.context["results"],
            }
            for cache in caches.all():  # the next role starts cold, as a test of its own
                cache.clear()
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_closed_poll_page_constant(closed_poll_seen, role, size):
    seen = closed_poll_seen[size][role]
    pinned(seen["sql"], CLOSED_POLL[role])
    assert seen["status"] == 200
    results = seen["results"]
    assert results.ballots == size
    assert len(results.rounds) > 1
    assert f"{size} ballots." in seen["text"]
    assert "Round 2" in seen["text"]
    pinned(seen["cached_sql"], PERSONAL_PAGE_HIT)
    assert f"{size} ballots." in seen["cached"] and "Round 2" in seen["cached"]
    pinned(seen["again_sql"], CLOSED_POLL_COUNTED[role])
    assert seen["again"] == results


# --- The transparency log ------------------------------------------------------------------------

# The group with its generation, session, user, membership role; count, the page of 50 with
# actors and members.
LOG = {"member": 6, "organizer": 6}
# The group with its generation, session, user, membership role; every entry with its people.
LOG_JSON = {"member": 5, "organizer": 5}


@pytest.fixture(scope="module")
def log_seen(django_db_setup, django_db_blocker):
    """The log's page and its JSON, for each role, on one log of each size."""

    def look(size):
        group, people = _people()
        actors = [people["organizer"], people["member"], *people["authors"][1:]]
        _log(group, size, actors)
        seen = {}
        for role in ROLES:
            response, sql = counted(_client(people[role]), reverse("decisions:log"))
            as_json, json_sql = counted(_client(people[role]), reverse("decisions:log_json"))
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "entries": len(response.context["entries"]),
                "count": response.context["paginator"].count,
                "text": response.text,
                "json_sql": json_sql,
                "json_status": as_json.status_code,
                "json_entries": len(as_json.json()["entries"]),
            }
        return seen

    return seen_at_sizes(django_db_blocker, SIZES, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_log_constant(log_seen, role, size):
    seen = log_seen[size][role]
    pinned(seen["sql"], LOG[role])
    assert seen["status"] == 200
    assert seen["entries"] == min(LOG_PER_PAGE, size)
    assert seen["count"] == size
    assert seen["text"].count('<li class="card">') == min(LOG_PER_PAGE, size)


# Open with results while open, below and from RESULTS_FROM ballots: as OPEN_POLL, plus the
# count (the options again and every ballot's choices, one query however many ballots); below
# 5 ballots organizers also read how many are in (a COUNT), as when results wait for closing.
OPEN_POLL_LIVE = {"member": 10, "organizer": 10}


@pytest.fixture(scope="module")
def live_results_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        poll = _poll(group, people["organizer"], results_while_open=True)
        _ballots(poll, _voters(group, size))
        seen = {}
        for role in ROLES:
            response, sql = counted(_client(people[role]), poll.get_absolute_url())
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "text": response.text,
                "results": response.context["results"],
            }
        return seen

    return seen_at_sizes(django_db_blocker, (3, *SIZES), look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", (3, *SIZES))
def test_open_poll_with_live_results_constant(live_results_seen, role, size):
    seen = live_results_seen[size][role]
    expected = OPEN_POLL_LIVE[role] + (role == "organizer" and size < 5)
    pinned(seen["sql"], expected)
    assert seen["status"] == 200
    assert (seen["results"] is None) == (size < 5)
    assert ("Results appear once 5 ballots are in." in seen["text"]) == (size < 5)


@pytest.mark.parametrize("size", SIZES)
def test_casting_a_ballot_constant(open_poll_seen, size):
    seen = open_poll_seen[size]["cast"]
    pinned(seen["sql"], FIRST_BALLOT)
    assert seen["status"] == 200 and "Your receipt" in seen["text"]
    assert seen["ballots"] == size + 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES)
def test_log_json_constant(log_seen, role, size):
    seen = log_seen[size][role]
    pinned(seen["json_sql"], LOG_JSON[role])
    assert seen["json_status"] == 200
    assert seen["json_entries"] == size
