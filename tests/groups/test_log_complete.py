"""The transparency log records what its page says it records: join answers, hidden posts,
mutes and warnings, announcements, hosts adding and moving people and raising capacity — each
written by the service that does it — and the page's list of what it records comes from
LogKind, the list the services write."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from conversation import services as talk
from events import services as event_services
from events.models import RSVP, RSVPStatus
from groups import services as group_services
from groups.models import LogEntry, LogKind, Membership, MembershipStatus, Role
from tests.factories import (
    CommentFactory,
    EventFactory,
    MembershipFactory,
    ReplyFactory,
    ThreadFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _entries() -> list[tuple]:
    """(kind, actor, member, title, detail) of every entry, oldest first."""
    return [
        (e.kind, e.actor, e.member, e.title, e.detail)
        for e in LogEntry.objects.order_by("pk").select_related("actor", "member")
    ]


def _person(group, **fields):
    return MembershipFactory(group=group, role=Role.MEMBER, **fields).user


def test_join_approval_is_logged_with_whom(group, organizer):
    pending = _person(group, status=MembershipStatus.PENDING)
    group_services.membership_approve(membership=Membership.objects.get(user=pending), by=organizer)
    assert _entries() == [(LogKind.JOIN_APPROVED, organizer, pending, "", "")]


def test_join_decline_is_logged_without_whom(group, organizer):
    pending = _person(group, status=MembershipStatus.PENDING)
    group_services.membership_decline(
        membership=Membership.objects.get(user=pending), by=organizer, message="Not local"
    )
    assert _entries() == [(LogKind.JOIN_DECLINED, organizer, None, "", "")]


def test_hiding_a_comment_a_discussion_and_a_reply_is_logged_once_each(group, organizer):
    author = _person(group)
    comment = CommentFactory(event=EventFactory(group=group), author=author)
    thread = ThreadFactory(group=group, author=author)
    reply = ReplyFactory(thread=ThreadFactory(group=group), author=author)
    talk.item_hide(item=comment, by=organizer)
    talk.item_hide(item=comment, by=organizer)  # already hidden: nothing new
    talk.item_hide(item=thread, by=organizer)
    talk.item_hide(item=reply, by=organizer)
    assert _entries() == [(LogKind.CONTENT_HIDDEN, organizer, author, "", "")] * 3


def test_muting_is_logged_with_until(group, organizer):
    author = _person(group)
    talk.member_mute(
        group=group, member=author, by=organizer, reason="Shouting", until=NOW + timedelta(days=7)
    )
    assert _entries() == [
        (LogKind.MEMBER_MUTED, organizer, author, "", "2026-05-11T12:00:00+00:00")
    ]


def test_a_warning_is_logged_without_the_note(group, organizer):
    author, reporter = _person(group), _person(group)
    comment = CommentFactory(event=EventFactory(group=group), author=author)
    report = talk.report_file(item=comment, by=reporter, reason="disrespectful")
    talk.report_resolve(report=report, by=organizer, action="warn", note="Please stay kind.")
    assert _entries() == [(LogKind.MEMBER_WARNED, organizer, author, "", "")]


def test_an_announcement_is_logged_when_it_is_emailed(group, organizer):
    talk.announcement_send(group=group, by=organizer, subject="Summer picnic", body="Bring food.")
    later = talk.announcement_send(
        group=group, by=organizer, subject="Autumn", body="Later.", send_at=NOW + timedelta(days=1)
    )
    assert _entries() == [(LogKind.ANNOUNCEMENT_SENT, organizer, None, "Summer picnic", "")]
    talk.announcements_send_due(now=NOW + timedelta(days=1))
    assert _entries()[1] == (LogKind.ANNOUNCEMENT_SENT, organizer, None, "Autumn", "")
    assert LogEntry.objects.order_by("pk").last().url == later.get_absolute_url()


def test_a_host_adding_someone_to_a_full_event_and_raising_capacity_is_logged(group, organizer):
    event = EventFactory(group=group, title="Tea & Co-ops", capacity=1)
    first, second = _person(group), _person(group)
    event_services.rsvp_set(event=event, member=first, going=True)
    event_services.rsvp_add(event=event, member=second, by=organizer, raise_capacity=True)
    assert _entries() == [
        (LogKind.CAPACITY_RAISED, organizer, None, "Tea & Co-ops", "2"),
        (LogKind.ATTENDEE_ADDED, organizer, second, "Tea & Co-ops", "going"),
    ]


def test_a_host_moving_someone_between_going_and_the_waitlist_is_logged(group, organizer):
    event = EventFactory(group=group, title="Tea & Co-ops", capacity=1)
    first, second = _person(group), _person(group)
    event_services.rsvp_set(event=event, member=first, going=True)
    event_services.rsvp_set(event=event, member=second, going=True)
    waiting = RSVP.objects.get(member=second)
    assert waiting.status == RSVPStatus.WAITLISTED
    event_services.rsvp_move(
        rsvp=RSVP.objects.get(member=first), to=RSVPStatus.NOT_GOING, by=organizer
    )
    assert _entries() == [(LogKind.ATTENDEE_MOVED, organizer, first, "Tea & Co-ops", "not_going")]


def test_raising_capacity_is_logged_and_lowering_is_not(group, organizer):
    event = EventFactory(group=group, title="Tea & Co-ops", capacity=10)
    event_services.event_set_capacity(event=event, capacity=8, by=organizer)
    event_services.event_set_capacity(event=event, capacity=12, by=organizer)
    event_services.event_set_capacity(event=event, capacity=None, by=organizer)
    assert _entries() == [
        (LogKind.CAPACITY_RAISED, organizer, None, "Tea & Co-ops", "12"),
        (LogKind.CAPACITY_RAISED, organizer, None, "Tea & Co-ops", ""),
    ]


def test_promoting_from_the_waitlist_is_logged(group, organizer):
    event = EventFactory(group=group, title="Tea & Co-ops", capacity=1)
    first, second = _person(group), _person(group)
    event_services.rsvp_set(event=event, member=first, going=True)
    event_services.rsvp_set(event=event, member=second, going=True)
    event_services.rsvp_promote(rsvp=RSVP.objects.get(member=second), by=organizer)
    assert _entries() == [
        (LogKind.CAPACITY_RAISED, organizer, None, "Tea & Co-ops", "2"),
        (LogKind.ATTENDEE_MOVED, organizer, second, "Tea & Co-ops", "going"),
    ]


def test_host_changes_to_a_draft_event_are_not_logged(group, organizer):
    event = EventFactory(group=group, status="draft", capacity=10)
    event_services.event_set_capacity(event=event, capacity=20, by=organizer)
    assert _entries() == []


def test_the_log_page_lists_what_it_records_from_logkind(client, group, member):
    client.force_login(member)
    page = client.get(reverse("decisions:log")).content.decode()
    labels = ", ".join(str(label) for _value, label in LogKind.choices)
    assert f"It records: {labels}." in page
    for label in (
        "Request to join approved",
        "Post hidden",
        "Member muted",
        "Member warned",
        "Announcement sent",
        "Attendee moved by a host",
        "Capacity raised by a host",
    ):
        assert label in labels


def test_every_kind_has_its_own_sentence(group, organizer, member):
    """No kind falls back to "Label: title": each says in words what happened."""
    from decisions.templatetags.decisions import log_sentence

    for kind, label in LogKind.choices:
        entry = LogEntry(group=group, kind=kind, actor=organizer, member=member, title="T")
        assert not str(log_sentence(entry)).startswith(f"{label}:"), kind
