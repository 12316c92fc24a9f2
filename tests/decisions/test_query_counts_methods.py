"""Score, dots and dates results, and the consent proposal pages, in the same number of queries
with a few rows or many (10 and 10,000 ballots; 10 and 1,000 proposals and positions).

As in tests/decisions/test_query_counts.py, each page's rows are built once for each size and
the page counted there for both roles, in a transaction rolled back at once; each test asserts
its own role's figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.generations import data_changed
from core.markdown import markdown_store
from decisions.models import BallotBox, Decision, Option, Poll, Position
from tests.decisions.test_query_counts import _client, _people, _voters
from tests.worlds import counted, pinned, seen_at_sizes

pytestmark = pytest.mark.django_db

ROLES = ("member", "organizer")
BALLOTS = (10, 10_000)
ROWS = (10, 1000)
LABELS = ("Library", "Park", "Café")


def _closed_poll(group, by, method, **more) -> tuple[Poll, list[Option]]:
    now = timezone.now()
    poll = Poll(
        group=group,
        question="What next?",
        details="Choose *well*.",
        method=method,
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(hours=1),
        created_by=by,
        **more,
    )
    markdown_store(poll)
    poll.save()
    starts = now + timedelta(days=10)
    options = Option.objects.bulk_create(
        Option(
            poll=poll,
            label=label,
            position=i,
            starts_at=starts + timedelta(days=i) if method == "dates" else None,
        )
        for i, label in enumerate(LABELS)
    )
    return poll, options


def _ballots(poll, size: int, ballot) -> None:
    """size ballots of deleted accounts (nobody's: no member needed), ballot(i) each."""
    BallotBox.objects.bulk_create(
        (BallotBox(poll=poll, choices=ballot(i), receipt_hash=str(i)) for i in range(size)),
        batch_size=1000,
    )
    data_changed()


# Closed, counted (the cache empty): the group with its generation, session, user, membership
# role; the poll, its options, the viewer's ballot; the count: the options again and every
# ballot's choices (one query, however many ballots).
CLOSED = {"member": 9, "organizer": 9}


def _closed_seen(django_db_blocker, method, ballot, **more) -> dict:
    """size -> role -> what the closed poll's page showed, with BALLOTS ballots(options)(i)."""

    def look(size):
        group, people = _people()
        poll, options = _closed_poll(group, people["organizer"], method, **more)
        _ballots(poll, size, ballot(*options))
        seen = {"options": options}
        for role in ROLES:
            response, sql = counted(_client(people[role]), poll.get_absolute_url())
            results = response.context["results"]
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "text": response.text,
                "rows": results.rows(),
                "winner": results.winner,
                "ballots": results.ballots,
                "may_make_event": response.context.get("may_make_event"),
            }
        return seen

    return seen_at_sizes(django_db_blocker, BALLOTS, look)


@pytest.fixture(scope="module")
def score_seen(django_db_setup, django_db_blocker):
    # Every ballot: Library 5, Park 3; every second one Café 1. By hand, n ballots: Library
    # 5n, Park 3n, Café n/2.
    return _closed_seen(
        django_db_blocker,
        "score",
        lambda library, park, cafe: lambda i: [[library.pk, 5], [park.pk, 3], [cafe.pk, i % 2]],
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", BALLOTS)
def test_score_results_constant(score_seen, role, size):
    seen = score_seen[size][role]
    library, _, _ = score_seen[size]["options"]
    pinned(seen["sql"], CLOSED[role])
    assert seen["status"] == 200
    assert [(o.label, total) for o, total, _ in seen["rows"]] == [
        ("Library", 5 * size),
        ("Park", 3 * size),
        ("Café", size // 2),
    ]
    assert (seen["winner"], seen["ballots"]) == (library, size)
    assert "more ballots gave 5 points" in seen["text"]


@pytest.fixture(scope="module")
def dots_seen(django_db_setup, django_db_blocker):
    # Even ballots: 5 on Library; odd ones: 4 on Park, 1 on Café. By hand (n even): Library
    # 5n/2, Park 4n/2, Café n/2, each from n/2 ballots.
    return _closed_seen(
        django_db_blocker,
        "dots",
        lambda library, park, cafe: (
            lambda i: [[park.pk, 4], [cafe.pk, 1]] if i % 2 else [[library.pk, 5]]
        ),
        dots=5,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", BALLOTS)
def test_dots_results_constant(dots_seen, role, size):
    seen = dots_seen[size][role]
    library, park, cafe = dots_seen[size]["options"]
    pinned(seen["sql"], CLOSED[role])
    assert seen["status"] == 200
    half = size // 2
    assert seen["rows"] == [
        (library, 5 * half, (half,)),
        (park, 4 * half, (half,)),
        (cafe, half, (half,)),
    ]
    assert seen["winner"] == library


@pytest.fixture(scope="module")
def dates_seen(django_db_setup, django_db_blocker):
    # Every ballot: the first date if need be, the second yes; every tenth says no to the
    # second. By hand: second yes 9n/10, no n/10; first if need be n; third no n.
    return _closed_seen(
        django_db_blocker,
        "dates",
        lambda first, second, third: (
            lambda i: [[first.pk, "if_need_be"], [second.pk, "no" if i % 10 == 0 else "yes"]]
        ),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", BALLOTS)
def test_dates_results_constant(dates_seen, role, size):
    seen = dates_seen[size][role]
    first, second, third = dates_seen[size]["options"]
    pinned(seen["sql"], CLOSED[role])
    assert seen["status"] == 200
    tenth = size // 10
    assert seen["rows"] == [
        (first, 0, (0, size, 0)),
        (second, size - tenth, (size - tenth, 0, tenth)),
        (third, 0, (0, 0, size)),
    ]
    assert seen["winner"] == second
    assert seen["may_make_event"] is (role == "organizer")


# --- Consent proposals ----------------------------------------------------------------------------

# The group with its generation, session, user, membership role; count; the membership role
# again (may the viewer open one); the page of 25.
DECISIONS = {"member": 7, "organizer": 7}
# The group with its generation, session, user, membership role; the proposal with who opened
# it; every position with its member's name.
DECISION = {"member": 6, "organizer": 6}


@pytest.fixture(scope="module")
def decisions_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        now = timezone.now()
        Decision.objects.bulk_create(
            (
                Decision(
                    group=group,
                    title=f"Proposal {i}",
                    body="Why *not*?",
                    opened_at=now - timedelta(minutes=i),
                    closes_at=now + timedelta(days=1),
                    closed_at=now if i % 3 == 0 else None,
                )
                for i in range(size)
            ),
            batch_size=500,
        )
        data_changed()
        seen = {}
        for role in ROLES:
            response, sql = counted(_client(people[role]), reverse("decisions:decisions"))
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "titles": [d.title for d in response.context["decisions"]],
                "count": response.context["paginator"].count,
            }
        return seen

    return seen_at_sizes(django_db_blocker, ROWS, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", ROWS)
def test_decisions_list_constant(decisions_seen, role, size):
    seen = decisions_seen[size][role]
    pinned(seen["sql"], DECISIONS[role])
    assert seen["status"] == 200
    assert seen["titles"] == [f"Proposal {i}" for i in range(min(size, 25))]
    assert seen["count"] == size


@pytest.fixture(scope="module")
def decision_seen(django_db_setup, django_db_blocker):
    def look(size):
        group, people = _people()
        now = timezone.now()
        decision = Decision(
            group=group,
            title="Open notes",
            body="We *publish*.",
            created_by=people["organizer"],
            closes_at=now + timedelta(days=1),
        )
        markdown_store(decision)
        decision.save()
        voters = _voters(group, size)
        kinds = ("agree", "abstain", "disagree", "block")
        Position.objects.bulk_create(
            (
                Position(
                    decision=decision, member=voter, position=kinds[i % 4], reason=f"Reason {i}"
                )
                for i, voter in enumerate(voters)
            ),
            batch_size=500,
        )
        data_changed()
        seen = {}
        for role in ROLES:
            response, sql = counted(_client(people[role]), decision.get_absolute_url())
            seen[role] = {
                "sql": sql,
                "status": response.status_code,
                "text": response.text,
                "counts": [count for _, count in response.context["counts"]],
                "close_form": response.context["close_form"] is not None,
            }
        return seen

    return seen_at_sizes(django_db_blocker, ROWS, look)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", ROWS)
def test_decision_page_constant(decision_seen, role, size):
    seen = decision_seen[size][role]
    pinned(seen["sql"], DECISION[role])
    assert seen["status"] == 200
    # By hand, agree, abstain, disagree, block: of 10, i = 0, 4, 8 agree, 1, 5, 9 abstain, 2, 6
    # disagree, 3, 7 block; of 1000, 250 each.
    expected = {10: [3, 3, 2, 2], 1000: [250, 250, 250, 250]}[size]
    assert seen["counts"] == expected
    assert seen["text"].count("Reason ") == size
    assert seen["close_form"] == (role == "organizer")
