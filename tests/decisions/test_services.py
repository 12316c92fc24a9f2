"""The rules of deciding together: who proposes, supports and decides on proposals, who opens
polls and votes in them, how ballots are kept and counted, and what runs on a schedule."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conversation.models import Category, Thread
from decisions import services
from decisions.models import (
    BallotBox,
    Option,
    Poll,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Support,
    VoterRoll,
    Voters,
)
from events.models import RSVP, Event, EventStatus, RSVPStatus
from groups.models import LogEntry, LogKind, MembershipStatus, Role
from tests.decisions.rolls import enrol
from tests.factories import EventFactory, GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)  # a Monday; 8:00 AM in New York (EDT)


@pytest.fixture(autouse=True)
def clock():
    """Time stands still at NOW unless a test moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _member(group, **preferences):
    return MembershipFactory(group=group, user=UserFactory(**preferences), role=Role.MEMBER).user


@pytest.fixture
def other(group):
    return _member(group)


@pytest.fixture
def proposal(group, member):
    return services.proposal_add(
        group=group,
        author=member,
        kind=ProposalKind.TOPIC,
        title="Data co-ops",
        body="Who owns *our* data?",
        now=NOW,
    )


def _poll(group, by, **kwargs) -> Poll:
    fields = {
        "question": "What do we drink?",
        "options": ["Tea", "Coffee", "Juice"],
        "method": "single",
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=3),
        "now": NOW,
        **kwargs,
    }
    return services.poll_open(group=group, by=by, **fields)


def _options(poll) -> dict[str, Option]:
    return {o.label: o for o in poll.options.all()}


def _log(kind) -> list[LogEntry]:
    return list(LogEntry.objects.filter(kind=kind).order_by("pk"))


# --- proposal_add ------------------------------------------------------------------------------


def test_proposal_add_stores_it_and_starts_its_discussion(group, member):
    proposal = services.proposal_add(
        group=group,
        author=member,
        kind=ProposalKind.TOPIC,
        title="  Data   co-ops ",
        body="  Who owns **our** data?  ",
        now=NOW,
    )
    proposal.refresh_from_db()
    assert (proposal.group, proposal.author, proposal.kind, proposal.title) == (
        group,
        member,
        ProposalKind.TOPIC,
        "Data co-ops",
    )
    assert (proposal.body, proposal.status, proposal.support_count, proposal.created_at) == (
        "Who owns **our** data?",
        ProposalStatus.OPEN,
        0,
        NOW,
    )
    assert "<strong>our</strong>" in proposal.body_html
    thread = proposal.thread
    assert (thread.group, thread.author, thread.title) == (group, member, "Data co-ops")
    assert thread.category.name == "Proposals"
    assert thread.category.group == group
    assert f"]({proposal.get_absolute_url()})" in thread.body


def test_proposal_add_uses_one_proposals_category(group, member, other):
    first = services.proposal_add(group=group, author=member, kind="topic", title="One", now=NOW)
    second = services.proposal_add(group=group, author=other, kind="guest", title="Two", now=NOW)
    assert first.thread.category == second.thread.category
    assert Category.objects.filter(group=group, name="Proposals").count() == 1
    assert Thread.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "kept"),
    [
        (ProposalKind.GUEST, "ana@example.org"),
        (ProposalKind.TOPIC, ""),
        (ProposalKind.BREAKOUT, ""),
    ],
)
def test_proposal_add_keeps_a_contact_for_guests_only(group, member, kind, kept):
    proposal = services.proposal_add(
        group=group,
        author=member,
        kind=kind,
        title="Ana Lopez",
        contact=" ana@example.org ",
        now=NOW,
    )
    proposal.refresh_from_db()
    assert proposal.contact == kept


def test_proposal_add_validation_messages(group, member):
    with pytest.raises(ValidationError) as error:
        services.proposal_add(group=group, author=member, kind="party", title=" \n ", now=NOW)
    assert error.value.message_dict == {
        "title": ["Give the proposal a title."],
        "kind": ["Choose a topic, a guest speaker or a breakout theme."],
    }
    assert (Proposal.objects.count(), Thread.objects.count()) == (0, 0)


def test_proposal_add_title_too_long_refused(group, member):
    with pytest.raises(ValidationError) as error:
        services.proposal_add(group=group, author=member, kind="topic", title="x" * 151, now=NOW)
    assert list(error.value.message_dict) == ["title"]
    assert (Proposal.objects.count(), Thread.objects.count()) == (0, 0)


def test_proposal_add_by_non_member_or_pending_member_refused(group):
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    for outsider in (UserFactory(), pending):
        with pytest.raises(PermissionDenied):
            services.proposal_add(group=group, author=outsider, kind="topic", title="Hi", now=NOW)
    assert (Proposal.objects.count(), Thread.objects.count()) == (0, 0)


# --- Support -----------------------------------------------------------------------------------


def test_support_once_per_member_and_idempotent(proposal, other, organizer):
    first = services.proposal_support(proposal=proposal, member=other)
    again = services.proposal_support(proposal=proposal, member=other)
    assert first.pk == again.pk
    services.proposal_support(proposal=proposal, member=organizer)
    proposal.refresh_from_db()
    assert proposal.support_count == 2
    assert sorted(Support.objects.values_list("member_id", flat=True)) == sorted(
        [other.pk, organizer.pk]
    )


def test_support_own_proposal_refused(proposal, member):
    with pytest.raises(ValidationError) as error:
        services.proposal_support(proposal=proposal, member=member)
    assert error.value.code == "own"
    proposal.refresh_from_db()
    assert (proposal.support_count, Support.objects.count()) == (0, 0)


def test_support_by_non_member_refused(proposal):
    with pytest.raises(PermissionDenied):
        services.proposal_support(proposal=proposal, member=UserFactory())
    assert Support.objects.count() == 0


def test_support_of_declined_or_scheduled_refused(proposal, organizer, other):
    services.proposal_decline(proposal=proposal, by=organizer, reason="Done last year.")
    proposal.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.proposal_support(proposal=proposal, member=other)
    assert error.value.code == "closed"
    services.proposal_reopen(proposal=proposal, by=organizer)
    services.proposal_to_event(proposal=proposal, by=organizer)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SCHEDULED
    with pytest.raises(ValidationError) as error:
        services.proposal_support(proposal=proposal, member=other)
    assert error.value.code == "closed"
    proposal.refresh_from_db()
    assert (proposal.support_count, Support.objects.count()) == (0, 0)


def test_support_of_planned_proposal_allowed(proposal, organizer, other):
    planned = services.proposal_plan(proposal=proposal, by=organizer)
    services.proposal_support(proposal=planned, member=other)
    planned.refresh_from_db()
    assert planned.support_count == 1


def test_withdraw_support_counts_exactly(group, proposal, other, organizer):
    third = _member(group)
    for supporter in (other, organizer, third):
        services.proposal_support(proposal=proposal, member=supporter)
    services.proposal_withdraw_support(proposal=proposal, member=other)
    services.proposal_withdraw_support(proposal=proposal, member=other)  # again: nothing
    services.proposal_withdraw_support(proposal=proposal, member=UserFactory())  # never did
    proposal.refresh_from_db()
    assert proposal.support_count == 2
    assert sorted(Support.objects.values_list("member_id", flat=True)) == sorted(
        [organizer.pk, third.pk]
    )
    services.proposal_support(proposal=proposal, member=other)  # may support again
    proposal.refresh_from_db()
    assert proposal.support_count == 3 == proposal.supports.count()


# --- Deciding ----------------------------------------------------------------------------------


def test_plan_reopen_and_decline(proposal, organizer):
    planned = services.proposal_plan(proposal=proposal, by=organizer)
    assert (planned.status, planned.decided_at) == (ProposalStatus.PLANNED, NOW)
    reopened = services.proposal_reopen(proposal=proposal, by=organizer)
    assert (reopened.status, reopened.decided_at) == (ProposalStatus.OPEN, None)
    declined = services.proposal_decline(proposal=proposal, by=organizer, reason=" Done.  ")
    declined.refresh_from_db()
    assert (declined.status, declined.decline_reason, declined.decided_at) == (
        ProposalStatus.DECLINED,
        "Done.",
        NOW,
    )
    reopened = services.proposal_reopen(proposal=proposal, by=organizer)
    reopened.refresh_from_db()
    assert (reopened.status, reopened.decline_reason) == (ProposalStatus.OPEN, "")


def test_decline_needs_a_reason(proposal, organizer):
    with pytest.raises(ValidationError) as error:
        services.proposal_decline(proposal=proposal, by=organizer, reason=" \n ")
    assert error.value.message_dict == {"reason": ["Say why: members read the reason."]}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert LogEntry.objects.count() == 0


@pytest.mark.parametrize(
    "decide",
    [
        lambda p, by: services.proposal_plan(proposal=p, by=by),
        lambda p, by: services.proposal_reopen(proposal=p, by=by),
        lambda p, by: services.proposal_decline(proposal=p, by=by, reason="No."),
        lambda p, by: services.proposal_to_event(proposal=p, by=by),
    ],
    ids=["plan", "reopen", "decline", "to_event"],
)
def test_deciding_is_for_organizers_only(proposal, member, other, decide):
    for person in (member, other, UserFactory()):  # the author, another member, an outsider
        with pytest.raises(PermissionDenied):
            decide(proposal, person)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.event, Event.objects.count()) == (
        ProposalStatus.OPEN,
        None,
        0,
    )
    assert LogEntry.objects.count() == 0


def test_proposal_to_event_makes_a_draft_with_its_text(group, proposal, organizer):
    event = services.proposal_to_event(proposal=proposal, by=organizer)
    event.refresh_from_db()
    assert (event.group, event.title, event.status) == (group, "Data co-ops", EventStatus.DRAFT)
    # The proposer is credited on the event page from the proposal (test_visibility.py), not in
    # the text, so the credit follows them if they delete their account.
    assert event.description == "Who owns *our* data?"
    assert proposal.author.display_name not in event.description
    assert event.created_by == organizer
    # Four weeks after NOW (Monday May 4, 8 AM in New York) at 6:30 PM there, for two hours.
    assert event.starts_at == datetime(2026, 6, 1, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    assert event.ends_at - event.starts_at == timedelta(hours=2)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.event, proposal.decided_at) == (
        ProposalStatus.SCHEDULED,
        event,
        NOW,
    )


def test_proposal_to_event_twice_refused(proposal, organizer):
    services.proposal_to_event(proposal=proposal, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.proposal_to_event(proposal=proposal, by=organizer)
    assert error.value.code == "already_scheduled"
    assert Event.objects.count() == 1
    assert len(_log(LogKind.PROPOSAL_SCHEDULED)) == 1


def test_proposal_to_event_slug_unique(group, member, organizer):
    EventFactory(group=group, slug="data-co-ops")
    proposal = services.proposal_add(
        group=group, author=member, kind="topic", title="Data co-ops", now=NOW
    )
    Proposal.objects.filter(pk=proposal.pk).update(author=None)
    proposal.refresh_from_db()
    event = services.proposal_to_event(proposal=proposal, by=organizer)
    assert event.slug == "data-co-ops-2"
    assert event.description == ""


# --- poll_open ---------------------------------------------------------------------------------


def test_poll_open_stores_the_poll_and_its_options_in_order(group, organizer):
    poll = _poll(
        group,
        organizer,
        options=["  Green   tea ", "", "Coffee", " ", "Juice"],
        question="  What do   we drink? ",
        details=" *Hot* or not ",
    )
    poll.refresh_from_db()
    assert (poll.question, poll.details, poll.method, poll.voters, poll.created_by) == (
        "What do we drink?",
        "*Hot* or not",
        "single",
        Voters.MEMBERS,
        organizer,
    )
    assert (poll.opens_at, poll.closes_at, poll.event, poll.created_at) == (
        NOW,
        NOW + timedelta(days=3),
        None,
        NOW,
    )
    assert "<em>Hot</em>" in poll.details_html
    assert [(o.label, o.position) for o in poll.options.all()] == [
        ("Green tea", 0),
        ("Coffee", 1),
        ("Juice", 2),
    ]
    assert poll.announced_at is not None  # open now: announced at once


def test_poll_open_later_is_not_announced_yet(group, organizer):
    poll = _poll(group, organizer, opens_at=NOW + timedelta(days=1))
    poll.refresh_from_db()
    assert poll.announced_at is None
    assert not poll.is_open(NOW)


def _another_groups_event():
    return EventFactory(group=GroupFactory())


POLL_ERRORS = [
    ({"question": " \n "}, "question", "Ask a question."),
    ({"options": ["Tea"]}, "options", "Give at least two options."),
    ({"options": ["Tea", " ", ""]}, "options", "Give at least two options."),
    ({"options": []}, "options", "Give at least two options."),
    ({"options": [f"Option {n}" for n in range(21)]}, "options", "Give at most 20 options."),
    ({"options": ["Tea", "Coffee", " tea  "]}, "options", "Each option must be different."),
    ({"options": ["Green tea", "GREEN  TEA"]}, "options", "Each option must be different."),
    ({"method": "borda"}, "method", "Choose how members vote."),
    ({"closes_at": NOW}, "closes_at", "The poll must close after it opens."),
    ({"closes_at": NOW - timedelta(hours=1)}, "closes_at", "The poll must close after it opens."),
    (
        {"opens_at": NOW - timedelta(days=2), "closes_at": NOW - timedelta(hours=1)},
        "closes_at",
        "The closing time has already passed.",
    ),
    (
        {"opens_at": NOW - timedelta(days=2), "closes_at": NOW},
        "closes_at",
        "The closing time has already passed.",
    ),
    ({"voters": Voters.ATTENDEES}, "event", "Choose the event whose attendees vote."),
    ({"voters": "everyone"}, "voters", "Choose who may vote."),
]


@pytest.mark.parametrize(("change", "field", "message"), POLL_ERRORS)
def test_poll_open_validation_keyed_to_its_field(group, organizer, change, field, message):
    with pytest.raises(ValidationError) as error:
        _poll(group, organizer, **change)
    assert error.value.message_dict == {field: [message]}
    assert (Poll.objects.count(), Option.objects.count(), LogEntry.objects.count()) == (0, 0, 0)


def test_poll_open_attendees_of_another_groups_event_refused(group, organizer):
    with pytest.raises(ValidationError) as error:
        _poll(group, organizer, voters=Voters.ATTENDEES, event=_another_groups_event())
    assert error.value.message_dict == {"event": ["Choose the event whose attendees vote."]}
    assert Poll.objects.count() == 0


def test_poll_open_reports_every_error_at_once(group, organizer):
    with pytest.raises(ValidationError) as error:
        _poll(
            group, organizer, question="", options=["Tea"], closes_at=NOW, voters=Voters.ATTENDEES
        )
    assert sorted(error.value.message_dict) == ["closes_at", "event", "options", "question"]


def test_poll_open_for_members_only_when_the_group_allows(group, organizer, member):
    assert group.members_open_polls is False
    with pytest.raises(PermissionDenied):
        _poll(group, member)
    assert Poll.objects.count() == 0
    group.members_open_polls = True
    group.save()
    poll = _poll(group, member)
    assert poll.created_by == member
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    for outsider in (UserFactory(), pending):
        with pytest.raises(PermissionDenied):
            _poll(group, outsider)
    assert Poll.objects.count() == 1


def test_poll_for_an_events_attendees_keeps_the_event(group, organizer):
    event = EventFactory(group=group)
    poll = _poll(group, organizer, voters=Voters.ATTENDEES, event=event)
    assert (poll.voters, poll.event) == (Voters.ATTENDEES, event)
    members_poll = _poll(group, organizer, event=event)  # the event matters to attendees only
    assert members_poll.event is None


# --- ballot_cast -------------------------------------------------------------------------------


def test_single_choice_takes_exactly_one(group, organizer, member):
    poll = _poll(group, organizer)
    tea, coffee = _options(poll)["Tea"], _options(poll)["Coffee"]
    for choices, message in [
        ([tea, coffee], "Choose exactly one option."),
        ([], "Choose at least one option."),
    ]:
        with pytest.raises(ValidationError) as error:
            services.ballot_cast(poll=poll, member=member, choices=choices, now=NOW)
        assert error.value.message_dict == {"choices": [message]}
    assert BallotBox.objects.count() == 0
    cast = services.ballot_cast(poll=poll, member=member, choices=[coffee], now=NOW)
    assert (cast.choices, cast.changed, len(cast.receipt)) == ([coffee.pk], False, 22)
    assert list(BallotBox.objects.values_list("poll", "choices")) == [(poll.pk, [coffee.pk])]
    assert list(VoterRoll.objects.values_list("poll", "member", "voted_on")) == [
        (poll.pk, member.pk, NOW.date())
    ]


def test_approval_takes_several(group, organizer, member):
    poll = _poll(group, organizer, method="approval")
    options = _options(poll)
    services.ballot_cast(
        poll=poll, member=member, choices=[options["Juice"], options["Tea"]], now=NOW
    )
    (stored,) = BallotBox.objects.values_list("choices", flat=True)
    assert sorted(stored) == sorted([options["Juice"].pk, options["Tea"].pk])


def test_ranked_keeps_the_order_given(group, organizer, member):
    poll = _poll(group, organizer, method="ranked")
    o = _options(poll)
    # keys as a form posts them (strings), in preference order, not the option order
    choices = [str(o["Juice"].pk), str(o["Tea"].pk), str(o["Coffee"].pk)]
    services.ballot_cast(poll=poll, member=member, choices=choices, now=NOW)
    assert BallotBox.objects.get().choices == [o["Juice"].pk, o["Tea"].pk, o["Coffee"].pk]


@pytest.mark.parametrize("method", ["single", "approval", "ranked"])
def test_unknown_or_repeated_option_refused(group, organizer, member, method):
    poll = _poll(group, organizer, method=method)
    elsewhere = _options(_poll(group, organizer, question="Where?", options=["Park", "Hall"]))
    tea = _options(poll)["Tea"]
    for unknown in ([elsewhere["Park"]], [999_999], ["tea"], [None]):
        with pytest.raises(ValidationError) as error:
            services.ballot_cast(poll=poll, member=member, choices=unknown, now=NOW)
        assert error.value.message_dict == {"choices": ["Choose among this poll's options."]}
    with pytest.raises(ValidationError) as error:
        services.ballot_cast(poll=poll, member=member, choices=[tea, str(tea.pk)], now=NOW)
    assert error.value.message_dict == {"choices": ["Choose each option at most once."]}
    assert BallotBox.objects.count() == 0


def test_a_key_given_as_text_is_that_option_even_if_a_label_reads_the_same(
    group, organizer, member
):
    """Keys come as text from forms and APIs; an option labelled with digits (a number of
    sessions, a year) must not capture a ballot meant for another option."""
    poll = _poll(group, organizer, question="How many sessions?", options=["One", "Two"])
    one, two = _options(poll)["One"], _options(poll)["Two"]
    two.label = str(one.pk)  # "Two" now reads as one's key, as "2026" or "3" might
    two.save()
    ballot = services.ballot_cast(poll=poll, member=member, choices=[str(one.pk)], now=NOW)
    assert ballot.choices == [one.pk]


def test_ballot_before_opening_or_after_closing_refused(group, organizer, member):
    poll = _poll(
        group, organizer, opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=2)
    )
    tea = _options(poll)["Tea"]
    with pytest.raises(ValidationError) as error:
        services.ballot_cast(poll=poll, member=member, choices=[tea], now=NOW)
    assert (error.value.code, error.value.messages) == ("not_open", ["This poll is not open yet."])
    services.ballot_cast(poll=poll, member=member, choices=[tea], now=NOW + timedelta(days=1))
    for late in (NOW + timedelta(days=2), NOW + timedelta(days=5)):
        with pytest.raises(ValidationError) as error:
            services.ballot_cast(poll=poll, member=member, choices=[tea], now=late)
        assert (error.value.code, error.value.messages) == ("not_open", ["This poll is closed."])
    assert BallotBox.objects.count() == 1


def test_ballot_by_non_member_refused(group, organizer):
    poll = _poll(group, organizer)
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    for outsider in (UserFactory(), pending):
        with pytest.raises(PermissionDenied):
            services.ballot_cast(poll=poll, member=outsider, choices=[_options(poll)["Tea"]])
    assert BallotBox.objects.count() == 0


def test_attendees_poll_only_for_members_going(group, organizer, member, other):
    event = EventFactory(group=group)
    RSVP.objects.create(event=event, member=other, status=RSVPStatus.GOING)
    waiting = _member(group)
    RSVP.objects.create(
        event=event, member=waiting, status=RSVPStatus.WAITLISTED, waitlisted_at=NOW, waitlist_seq=1
    )
    declined = _member(group)
    RSVP.objects.create(event=event, member=declined, status=RSVPStatus.NOT_GOING)
    poll = _poll(group, organizer, voters=Voters.ATTENDEES, event=event)
    tea = _options(poll)["Tea"]
    for person in (member, waiting, declined, organizer):
        with pytest.raises(PermissionDenied) as error:
            services.ballot_cast(poll=poll, member=person, choices=[tea], now=NOW)
        assert str(error.value) == "Only the people going to the event can vote in this poll."
    services.ballot_cast(poll=poll, member=other, choices=[tea], now=NOW)
    assert list(VoterRoll.objects.values_list("member_id", flat=True)) == [other.pk]


def test_recasting_with_the_receipt_replaces_the_ballot(group, organizer, member):
    poll = _poll(group, organizer, method="ranked")
    o = _options(poll)
    first = services.ballot_cast(poll=poll, member=member, choices=[o["Tea"]], now=NOW)
    later = NOW + timedelta(days=1)
    second = services.ballot_cast(
        poll=poll, member=member, choices=[o["Coffee"], o["Tea"]], receipt=first.receipt, now=later
    )
    assert (second.receipt, second.changed) == (None, True)
    assert list(BallotBox.objects.values_list("choices", flat=True)) == [
        [o["Coffee"].pk, o["Tea"].pk]
    ]
    # The roll keeps the day of the first ballot: a change is not a second vote.
    assert list(VoterRoll.objects.values_list("member_id", "voted_on")) == [(member.pk, NOW.date())]


def test_without_the_right_receipt_a_ballot_cannot_be_changed(group, organizer, member, other):
    poll = _poll(group, organizer)
    o = _options(poll)
    mine = services.ballot_cast(poll=poll, member=member, choices=[o["Tea"]], now=NOW)
    theirs = services.ballot_cast(poll=poll, member=other, choices=[o["Juice"]], now=NOW)
    elsewhere = _poll(group, organizer, question="Where?", options=["Park", "Hall"])
    other_poll = services.ballot_cast(
        poll=elsewhere, member=member, choices=[_options(elsewhere)["Park"]], now=NOW
    )
    for receipt, message in [
        (
            None,
            "You have already voted in this poll. To change your ballot, give the receipt "
            "you got when you voted.",
        ),
        (
            "",
            "You have already voted in this poll. To change your ballot, give the receipt "
            "you got when you voted.",
        ),
        ("not-a-receipt", "This receipt is not one of this poll's: your ballot is unchanged."),
        (mine.receipt[:-1], "This receipt is not one of this poll's: your ballot is unchanged."),
        (other_poll.receipt, "This receipt is not one of this poll's: your ballot is unchanged."),
    ]:
        with pytest.raises(ValidationError) as error:
            services.ballot_cast(
                poll=poll, member=member, choices=[o["Coffee"]], receipt=receipt, now=NOW
            )
        assert error.value.message_dict == {"receipt": [message]}
    assert sorted(BallotBox.objects.filter(poll=poll).values_list("choices", flat=True)) == sorted(
        [[o["Tea"].pk], [o["Juice"].pk]]
    )
    # Another voter's receipt changes that voter's ballot: a receipt is all a change needs,
    # so it is kept secret (the page says so). Their ballot, not a second one of ours.
    services.ballot_cast(
        poll=poll, member=member, choices=[o["Coffee"]], receipt=theirs.receipt, now=NOW
    )
    assert sorted(BallotBox.objects.filter(poll=poll).values_list("choices", flat=True)) == sorted(
        [[o["Tea"].pk], [o["Coffee"].pk]]
    )
    assert (
        BallotBox.objects.filter(poll=poll).count() == VoterRoll.objects.filter(poll=poll).count()
    )


# --- poll_results ------------------------------------------------------------------------------


def _vote(group, poll, ballots: list[list[str]]) -> None:
    """Each ballot (option labels, in order) cast by a new member."""
    options = _options(poll)
    for labels in ballots:
        voter = _member(group)
        enrol(poll, voter)  # joined after the poll opened: put on its roll by hand
        services.ballot_cast(
            poll=poll, member=voter, choices=[options[label] for label in labels], now=NOW
        )


def _round(r) -> tuple[list, list, int]:
    counts = [(o.label, n) for o, n in r.counts.items()]  # in the poll's option order
    return (counts, [o.label for o in r.eliminated], r.exhausted)


def test_single_choice_results(group, organizer):
    poll = _poll(group, organizer)
    _vote(group, poll, [["Coffee"], ["Tea"], ["Coffee"], ["Coffee"]])
    results = services.poll_results(poll=poll)
    assert results.winner == _options(poll)["Coffee"]
    assert (results.method, results.ballots, results.tied) == ("single", 4, [])
    assert [_round(r) for r in results.rounds] == [
        ([("Tea", 1), ("Coffee", 3), ("Juice", 0)], [], 0)
    ]
    assert results.first is results.final


def test_single_choice_tie_has_no_winner(group, organizer):
    poll = _poll(group, organizer)
    _vote(group, poll, [["Coffee"], ["Tea"]])
    results = services.poll_results(poll=poll)
    options = _options(poll)
    assert (results.winner, results.tied) == (None, [options["Tea"], options["Coffee"]])


def test_approval_results(group, organizer):
    poll = _poll(group, organizer, method="approval")
    _vote(group, poll, [["Tea", "Juice"], ["Juice"], ["Coffee", "Juice", "Tea"]])
    results = services.poll_results(poll=poll)
    assert results.winner.label == "Juice"
    assert [_round(r) for r in results.rounds] == [
        ([("Tea", 2), ("Coffee", 1), ("Juice", 3)], [], 0)
    ]


def test_ranked_results_every_round_and_exhausted_ballots(group, organizer):
    poll = _poll(group, organizer, method="ranked", options=["A", "B", "C"])
    # Round 1: A 3, B 4, C 2 of 9: nobody has more than half; C, fewest, is eliminated.
    # Round 2: C-then-B goes to B, C-alone is exhausted: A 3, B 5 of 8 counted: B wins.
    _vote(group, poll, [["A"]] * 3 + [["B", "A"]] * 4 + [["C", "B"], ["C"]])
    results = services.poll_results(poll=poll)
    assert results.winner.label == "B"
    assert results.ballots == 9
    assert [_round(r) for r in results.rounds] == [
        ([("A", 3), ("B", 4), ("C", 2)], ["C"], 0),
        ([("A", 3), ("B", 5)], [], 1),
    ]


def test_results_with_no_ballots(group, organizer):
    poll = _poll(group, organizer, method="ranked")
    results = services.poll_results(poll=poll)
    assert (results.winner, results.tied, results.ballots) == (None, [], 0)
    assert [_round(r) for r in results.rounds] == [
        ([("Tea", 0), ("Coffee", 0), ("Juice", 0)], [], 0)
    ]


# --- Closing -----------------------------------------------------------------------------------


def test_poll_close_by_organizer_closes_now_and_logs_once(group, organizer):
    poll = _poll(group, organizer)
    _vote(group, poll, [["Juice"]])
    later = NOW + timedelta(hours=5)
    closed = services.poll_close(poll=poll, by=organizer, now=later)
    closed.refresh_from_db()
    assert (closed.closes_at, closed.closed_noted_at) == (later, later)
    assert closed.is_closed(later)
    with pytest.raises(ValidationError) as error:
        services.poll_close(poll=poll, by=organizer, now=later + timedelta(minutes=1))
    assert error.value.code == "closed"
    assert services.polls_close_due(now=NOW + timedelta(days=4)) == 0
    assert [(e.actor, e.title, e.detail, e.at) for e in _log(LogKind.POLL_CLOSED)] == [
        (organizer, "What do we drink?", "Juice", later)
    ]


def test_poll_close_by_member_refused(group, organizer, member):
    group.members_open_polls = True
    group.save()
    poll = _poll(group, member)  # even their own poll
    with pytest.raises(PermissionDenied):
        services.poll_close(poll=poll, by=member, now=NOW + timedelta(hours=1))
    poll.refresh_from_db()
    assert (poll.closes_at, poll.closed_noted_at) == (NOW + timedelta(days=3), None)
    assert _log(LogKind.POLL_CLOSED) == []


def test_poll_close_before_it_opens_leaves_no_time_to_vote(group, organizer, member):
    """ "Closes an open poll now": a poll set to open tomorrow is either refused or closed for
    good, never closed in the log and then open for voting."""
    opens = NOW + timedelta(days=1)
    poll = _poll(group, organizer, opens_at=opens, closes_at=NOW + timedelta(days=3))
    try:
        closed = services.poll_close(poll=poll, by=organizer, now=NOW)
    except ValidationError:
        assert _log(LogKind.POLL_CLOSED) == []
        return
    closed.refresh_from_db()
    assert closed.is_closed(NOW)
    with pytest.raises(ValidationError):
        services.ballot_cast(
            poll=closed, member=member, choices=[_options(poll)["Tea"]], now=closed.opens_at
        )


def test_polls_close_due_logs_each_once(group, organizer):
    soon = _poll(group, organizer, question="Soon?", closes_at=NOW + timedelta(hours=1))
    tied = _poll(group, organizer, question="Tied?", closes_at=NOW + timedelta(hours=2))
    later = _poll(group, organizer, question="Later?", closes_at=NOW + timedelta(days=3))
    _vote(group, soon, [["Coffee"], ["Coffee"], ["Tea"]])
    _vote(group, tied, [["Coffee"], ["Tea"]])
    run = NOW + timedelta(hours=2)  # the second poll closes exactly then
    assert services.polls_close_due(now=run) == 2
    assert services.polls_close_due(now=run) == 0
    assert services.polls_close_due(now=run + timedelta(minutes=5)) == 0
    entries = [(e.title, e.actor, e.detail, e.at, e.url) for e in _log(LogKind.POLL_CLOSED)]
    assert entries == [
        ("Soon?", None, "Coffee", soon.closes_at, soon.get_absolute_url()),
        ("Tied?", None, "", tied.closes_at, tied.get_absolute_url()),
    ]
    for poll, noted in ((soon, run), (tied, run), (later, None)):
        poll.refresh_from_db()
        assert poll.closed_noted_at == noted
    assert services.polls_close_due(now=NOW + timedelta(days=3)) == 1
    assert len(_log(LogKind.POLL_CLOSED)) == 3


# --- On a schedule: announcing and reminding ---------------------------------------------------


def test_polls_announce_due_at_opening_once(group, organizer):
    opens = NOW + timedelta(days=1)
    poll = _poll(group, organizer, opens_at=opens)
    _poll(group, organizer, question="Open now?")  # announced when opened
    gone = _poll(
        group,
        organizer,
        question="Missed?",
        opens_at=NOW + timedelta(hours=1),
        closes_at=NOW + timedelta(hours=2),
    )
    assert services.polls_announce_due(now=NOW) == 0
    assert services.polls_announce_due(now=opens - timedelta(seconds=1)) == 0  # gone is closed
    assert services.polls_announce_due(now=opens) == 1
    poll.refresh_from_db()
    assert poll.announced_at is not None
    assert services.polls_announce_due(now=opens + timedelta(hours=1)) == 0
    gone.refresh_from_db()
    assert gone.announced_at is None


def test_poll_reminders_only_on_the_last_day_to_those_who_have_not_voted(group, organizer, member):
    voted = _member(group)
    waiting = _member(group, notify_poll_reminders=False)  # queued; the email is not sent
    MembershipFactory(group=group, status=MembershipStatus.PENDING)  # not a voter
    poll = _poll(group, organizer, closes_at=NOW + timedelta(days=3))
    services.ballot_cast(poll=poll, member=voted, choices=[_options(poll)["Tea"]], now=NOW)
    assert services.poll_reminders_send(now=NOW) == 0
    assert services.poll_reminders_send(now=NOW + timedelta(days=2) - timedelta(minutes=1)) == 0
    poll.refresh_from_db()
    assert poll.reminded_at is None
    last_day = NOW + timedelta(days=2, hours=1)
    assert services.poll_reminders_send(now=last_day) == len([organizer, member, waiting])
    assert services.poll_reminders_send(now=last_day) == 0
    assert services.poll_reminders_send(now=last_day + timedelta(hours=10)) == 0
    poll.refresh_from_db()
    assert poll.reminded_at == last_day


def test_poll_reminders_for_attendees_poll_count_those_going(group, organizer, member, other):
    event = EventFactory(group=group)
    for person in (organizer, other):
        RSVP.objects.create(event=event, member=person, status=RSVPStatus.GOING)
    poll = _poll(
        group, organizer, voters=Voters.ATTENDEES, event=event, closes_at=NOW + timedelta(hours=20)
    )
    services.ballot_cast(poll=poll, member=other, choices=[_options(poll)["Tea"]], now=NOW)
    assert services.poll_reminders_send(now=NOW) == 1  # the organizer; not member, not going
    assert services.poll_reminders_send(now=NOW + timedelta(hours=1)) == 0


def test_no_reminder_for_a_closed_or_unopened_poll(group, organizer):
    _poll(
        group,
        organizer,
        question="Later?",
        opens_at=NOW + timedelta(hours=2),
        closes_at=NOW + timedelta(hours=5),
    )
    closed = _poll(group, organizer, question="Closed?", closes_at=NOW + timedelta(hours=1))
    services.poll_close(poll=closed, by=organizer, now=NOW + timedelta(minutes=30))
    assert services.poll_reminders_send(now=NOW + timedelta(hours=1)) == 0
