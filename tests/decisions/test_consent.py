"""Consent proposals: positions with reasons in public, blocks need a reason, a written outcome
emailed to those who took part and kept in the log."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import services
from decisions.emails import DecisionEmail
from decisions.models import Decision, Position
from groups.models import LogEntry, LogKind, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _member(group, **fields):
    return MembershipFactory(group=group, user=UserFactory(**fields), role=Role.MEMBER).user


def _open(group, by, **kwargs) -> Decision:
    fields = {
        "title": "Share our meeting notes under CC BY",
        "body": "We publish the notes of each evening under *CC BY 4.0*.",
        "closes_at": NOW + timedelta(days=7),
        "now": NOW,
        **kwargs,
    }
    return services.decision_open(group=group, by=by, **fields)


def test_open_is_logged_and_announced_to_members_who_asked(
    group, organizer, django_capture_on_commit_callbacks
):
    keen, _quiet = _member(group, notify_decisions=True), _member(group)
    with django_capture_on_commit_callbacks(execute=True):
        decision = _open(group, organizer)
    assert "<em>CC BY 4.0</em>" in decision.body_html
    assert list(
        LogEntry.objects.filter(kind=LogKind.DECISION_OPENED).values_list("actor", "title")
    ) == [(organizer.pk, decision.title)]
    assert [m.to for m in mail.outbox] == [[keen.email]]


def test_open_refuses_missing_text_and_past_closing(group, organizer):
    with pytest.raises(ValidationError) as caught:
        _open(group, organizer, title=" ", body="", closes_at=NOW)
    assert caught.value.message_dict == {
        "title": ["Give the proposal a title."],
        "body": ["Say what you propose."],
        "closes_at": ["The closing time has already passed."],
    }
    assert not Decision.objects.exists()


def test_members_may_not_open_unless_the_group_allows(group, member):
    with pytest.raises(PermissionDenied):
        _open(group, member)


def test_positions_stated_changed_and_a_block_needs_a_reason(group, organizer, member):
    decision = _open(group, organizer)
    with pytest.raises(ValidationError) as caught:
        services.position_state(decision=decision, member=member, position="block", reason=" ")
    assert caught.value.message_dict == {
        "reason": ["A block needs a reason: say what would have to change."]
    }
    assert not Position.objects.exists()
    services.position_state(decision=decision, member=member, position="agree")
    services.position_state(
        decision=decision, member=member, position="block", reason="Notes name people."
    )
    assert list(Position.objects.values_list("member", "position", "reason")) == [
        (member.pk, "block", "Notes name people.")
    ]
    with pytest.raises(ValidationError) as caught:
        services.position_state(decision=decision, member=member, position="maybe")
    assert caught.value.message_dict == {"position": ["Choose agree, abstain, disagree or block."]}


def test_non_members_state_no_position(group, organizer):
    decision = _open(group, organizer)
    with pytest.raises(PermissionDenied):
        services.position_state(decision=decision, member=UserFactory(), position="agree")


def test_close_needs_an_outcome_then_logs_and_emails_those_who_took_part(
    group, organizer, django_capture_on_commit_callbacks
):
    decision = _open(group, organizer)
    agree, blocker, _silent = _member(group), _member(group), _member(group)
    services.position_state(decision=decision, member=agree, position="agree")
    services.position_state(decision=decision, member=blocker, position="block", reason="Names.")
    with pytest.raises(ValidationError) as caught:
        services.decision_close(decision=decision, by=organizer, outcome="")
    assert caught.value.message_dict == {"outcome": ["Write the outcome."]}
    with pytest.raises(PermissionDenied):
        services.decision_close(decision=decision, by=agree, outcome="Passed")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.decision_close(
            decision=decision, by=organizer, outcome="Not passed: we remove names first."
        )
    assert closed.closed_at == NOW
    assert not closed.is_open()
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([agree.email, blocker.email])
    assert all("Not passed: we remove names first." in m.body for m in mail.outbox)
    assert list(
        LogEntry.objects.filter(kind=LogKind.DECISION_CLOSED).values_list("actor", "detail")
    ) == [(organizer.pk, "Not passed: we remove names first.")]
    with pytest.raises(ValidationError, match="This proposal is closed"):
        services.position_state(decision=decision, member=agree, position="abstain")
    with pytest.raises(ValidationError, match="already closed"):
        services.decision_close(decision=decision, by=organizer, outcome="Again")
    assert DecisionEmail.OUTCOME == "outcome"
