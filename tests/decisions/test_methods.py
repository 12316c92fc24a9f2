"""Score, dots and dates polls through the services: opening, ballots in every accepted form,
clear refusals, results, written outcomes and a dates poll's draft event."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import secrecy, services
from decisions.models import BallotBox, Poll
from events.models import Event, EventStatus
from groups.models import LogEntry, LogKind, Role
from tests.decisions.rolls import enrol
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
THU = datetime(2026, 5, 14, 18, 30, tzinfo=NEW_YORK)
TUE = datetime(2026, 5, 12, 18, 30, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _member(group):
    return MembershipFactory(group=group, user=UserFactory(), role=Role.MEMBER).user


def _poll(group, by, method, **kwargs) -> Poll:
    fields = {
        "question": "What next?",
        "options": ["Tea", "Coffee", "Juice"],
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=3),
        "now": NOW,
        **kwargs,
    }
    return services.poll_open(group=group, by=by, method=method, **fields)


def _labels(poll):
    return {o.label: o for o in poll.options.all()}


def _stored(poll, cast=None):
    """The poll's one ballot, or the one a cast's receipt names (the box holds no member)."""
    ballots = BallotBox.objects.filter(poll=poll)
    if cast is not None:
        ballots = ballots.filter(receipt_hash=secrecy.receipt_hash(poll.pk, cast.receipt))
    return ballots.get().choices


def test_score_ballot_accepts_options_ids_and_labels(group, organizer, member):
    poll = _poll(group, organizer, "score")
    tea, coffee, juice = _labels(poll).values()
    cast = services.ballot_cast(
        poll=poll, member=member, choices={juice: 1, str(tea.pk): "5", "Coffee": 0}
    )
    # Stored in option order, whatever order they were given in.
    assert _stored(poll) == [[tea.pk, 5], [coffee.pk, 0], [juice.pk, 1]]
    services.ballot_cast(poll=poll, member=member, choices={coffee.pk: 3}, receipt=cast.receipt)
    assert _stored(poll) == [[coffee.pk, 3]]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"Tea": 6}, "Give each option a whole number of points from 0 to 5."),
        ({"Tea": -1}, "Give each option a whole number of points from 0 to 5."),
        ({"Tea": "lots"}, "Give each option a whole number of points from 0 to 5."),
        ({"Tea": True}, "Give each option a whole number of points from 0 to 5."),
        ({"Milk": 1}, "Choose among this poll's options."),
        (["Tea"], "Give points to the options."),
        ({}, "Answer for at least one option."),
    ],
)
def test_score_ballot_refused_with_a_clear_message(group, organizer, member, choices, message):
    poll = _poll(group, organizer, "score")
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(poll=poll, member=member, choices=choices)
    assert caught.value.message_dict == {"choices": [message]}
    assert not BallotBox.objects.exists()


def test_dots_ballot_checks_the_dots_left(group, organizer, member):
    poll = _poll(group, organizer, "dots", dots=4)
    assert poll.dots == 4
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(poll=poll, member=member, choices={"Tea": 3, "Coffee": 2})
    assert caught.value.message_dict == {"choices": ["You have 4 dots: you gave 5."]}
    assert not BallotBox.objects.exists()
    services.ballot_cast(poll=poll, member=member, choices={"Tea": 3, "Coffee": 1})
    tea, coffee, _ = _labels(poll).values()
    assert _stored(poll) == [[tea.pk, 3], [coffee.pk, 1]]


@pytest.mark.parametrize("dots", [None, 0, 101, True])
def test_dots_poll_needs_a_number_of_dots(group, organizer, dots):
    with pytest.raises(ValidationError) as caught:
        _poll(group, organizer, "dots", dots=dots)
    assert caught.value.message_dict == {"dots": ["Give each member from 1 to 100 dots."]}
    assert not Poll.objects.exists()


def test_dates_poll_sorts_and_labels_the_times(group, organizer):
    poll = _poll(group, organizer, "dates", options=[THU, TUE])
    assert [(o.label, o.starts_at) for o in poll.options.all()] == [
        ("2026-05-12 18:30", TUE),
        ("2026-05-14 18:30", THU),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["Tuesday", "Thursday"], "Give the dates as dates and times."),
        ([datetime(2026, 5, 12, 18, 30), THU], "Give the dates with their time zone."),
        ([TUE, TUE], "Each option must be different."),
    ],
)
def test_dates_poll_refuses_bad_times(group, organizer, options, message):
    with pytest.raises(ValidationError) as caught:
        _poll(group, organizer, "dates", options=options)
    assert caught.value.message_dict == {"options": [message]}


def test_dates_ballot_by_time_and_the_count(group, organizer):
    poll = _poll(group, organizer, "dates", options=[TUE, THU])
    a, b, c = _member(group), _member(group), _member(group)
    enrol(poll, a, b, c)  # members since the poll opened
    tue, thu = _labels(poll).values()
    services.ballot_cast(poll=poll, member=a, choices={TUE: "yes", THU: "if_need_be"})
    services.ballot_cast(poll=poll, member=b, choices={tue: "if need be", thu.pk: "yes"})
    cast = services.ballot_cast(poll=poll, member=c, choices={"2026-05-14 18:30": "yes"})
    assert _stored(poll, cast) == [[thu.pk, "yes"]]
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(poll=poll, member=c, choices={TUE: "perhaps"})
    assert caught.value.message_dict == {"choices": ["Answer yes, if need be or no for each date."]}
    # By hand: Tue yes 1, if need be 1, no 1 (c left it out); Thu yes 2, if need be 1.
    results = services.poll_results(poll=poll)
    assert results.winner == thu
    assert results.rows() == [(tue, 1, (1, 1, 1)), (thu, 2, (2, 1, 0))]


def test_old_methods_keep_their_lists(group, organizer, member):
    poll = _poll(group, organizer, "ranked")
    tea, coffee, _ = _labels(poll).values()
    services.ballot_cast(poll=poll, member=member, choices=[coffee, "Tea"])
    assert _stored(poll) == [coffee.pk, tea.pk]
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(poll=poll, member=member, choices={"Tea": 1})
    assert caught.value.message_dict == {"choices": ["Choose options, not points, in this poll."]}


def test_score_results_and_winner(group, organizer):
    poll = _poll(group, organizer, "score")
    tea, coffee, juice = _labels(poll).values()
    for choices in ({"Tea": 5, "Coffee": 2}, {"Tea": 1, "Coffee": 4}, {"Juice": 5}):
        voter = _member(group)
        enrol(poll, voter)  # a member since the poll opened
        services.ballot_cast(poll=poll, member=voter, choices=choices)
    # By hand: Tea 6, Coffee 6, Juice 5; Tea and Coffee tie; Tea has a 5, Coffee none.
    results = services.poll_results(poll=poll)
    assert (results.winner, results.tied, results.ballots) == (tea, [], 3)
    assert [(o, total) for o, total, _ in results.rows()] == [(tea, 6), (coffee, 6), (juice, 5)]


# --- Written outcomes ---------------------------------------------------------------------------


def test_close_with_outcome_is_stored_logged_and_emailed_to_voters(
    group, organizer, django_capture_on_commit_callbacks
):
    poll = _poll(group, organizer, "single")
    voter, bystander = _member(group), _member(group)
    enrol(poll, voter, bystander)  # members since the poll opened
    services.ballot_cast(poll=poll, member=voter, choices=["Tea"])
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.poll_close(
            poll=poll, by=organizer, outcome="Tea it is.", now=NOW + timedelta(hours=1)
        )
    assert (closed.outcome, closed.outcome_at) == ("Tea it is.", NOW + timedelta(hours=1))
    entries = LogEntry.objects.filter(kind=LogKind.OUTCOME_WRITTEN)
    assert list(entries.values_list("actor", "title", "detail")) == [
        (organizer.pk, "What next?", "Tea it is.")
    ]
    assert [m.to for m in mail.outbox] == [[voter.email]]
    assert "Tea it is." in mail.outbox[0].body
    assert bystander.email not in {a for m in mail.outbox for a in m.to}


def test_outcome_written_after_the_clock_closed_the_poll(group, organizer, member, clock):
    poll = _poll(group, organizer, "single")
    clock.move_to(NOW + timedelta(days=4))
    later = NOW + timedelta(days=4)
    with pytest.raises(PermissionDenied):
        services.poll_outcome_set(poll=poll, by=member, outcome="Mine", now=later)
    with pytest.raises(ValidationError) as caught:
        services.poll_outcome_set(poll=poll, by=organizer, outcome="  ", now=later)
    assert caught.value.message_dict == {"outcome": ["Write the outcome."]}
    services.poll_outcome_set(poll=poll, by=organizer, outcome="Nobody voted.", now=later)
    with pytest.raises(ValidationError) as caught:
        services.poll_outcome_set(poll=poll, by=organizer, outcome="Again", now=later)
    assert caught.value.message_dict == {"outcome": ["The outcome is already written."]}
    assert Poll.objects.get().outcome == "Nobody voted."
    assert LogEntry.objects.filter(kind=LogKind.OUTCOME_WRITTEN).count() == 1


def test_outcome_of_an_open_poll_is_refused(group, organizer):
    poll = _poll(group, organizer, "single")
    with pytest.raises(ValidationError) as caught:
        services.poll_outcome_set(poll=poll, by=organizer, outcome="Early", now=NOW)
    assert caught.value.message_dict == {
        "outcome": ["Close the poll first: the outcome is written when it closes."]
    }


def test_voted_member_ids_are_those_with_a_ballot(group, organizer):
    poll = _poll(group, organizer, "approval")
    a, _b, c = _member(group), _member(group), _member(group)
    enrol(poll, a, _b, c)  # members since the poll opened
    services.ballot_cast(poll=poll, member=c, choices=["Tea"])
    services.ballot_cast(poll=poll, member=a, choices=["Tea", "Juice"])
    assert list(services.voted_member_ids(poll)) == sorted([a.pk, c.pk])


# --- A dates poll's draft event -------------------------------------------------------------------


def test_poll_to_event_makes_one_draft_at_the_winning_time(group, organizer, member, clock):
    poll = _poll(group, organizer, "dates", options=[TUE, THU])
    services.ballot_cast(poll=poll, member=member, choices={TUE: "no", THU: "yes"})
    with pytest.raises(ValidationError, match="Close the poll first"):
        services.poll_to_event(poll=poll, by=organizer)
    clock.move_to(NOW + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        services.poll_to_event(poll=poll, by=member)
    event = services.poll_to_event(poll=poll, by=organizer)
    assert (event.title, event.status, event.starts_at, event.ends_at) == (
        "What next?",
        EventStatus.DRAFT,
        THU,
        THU + timedelta(hours=2),
    )
    assert Poll.objects.get().became_event == event
    with pytest.raises(ValidationError, match="This poll already became an event"):
        services.poll_to_event(poll=poll, by=organizer)
    assert Event.objects.count() == 1
    assert list(
        LogEntry.objects.filter(kind=LogKind.POLL_SCHEDULED).values_list("actor", "detail")
    ) == [(organizer.pk, "2026-05-14 18:30")]


def test_poll_to_event_only_for_dates_with_a_winner(group, organizer, clock):
    single = _poll(group, organizer, "single")
    dates = _poll(group, organizer, "dates", options=[TUE, THU])
    clock.move_to(NOW + timedelta(days=3))
    with pytest.raises(ValidationError, match="Only a dates poll chooses a time"):
        services.poll_to_event(poll=single, by=organizer)
    with pytest.raises(ValidationError, match="No date won this poll"):
        services.poll_to_event(poll=dates, by=organizer)
    assert not Event.objects.exists()
