"""Who gets the conversation emails, and who does not: replies, digests, announcements,
warnings; their List-* headers and one-click unsubscribe; plain text never HTML-escaped."""

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from conversation import services
from conversation.emails import ConversationEmail
from conversation.models import Announcement, Follow
from core.emails.message import list_id
from core.models import Email, EmailState
from groups import services as group_services
from groups.models import Membership, MembershipStatus, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a transaction would run on commit, as a real request does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _member(group, **preferences):
    return MembershipFactory(group=group, user=UserFactory(**preferences), role=Role.MEMBER).user


@pytest.fixture
def other(group):
    return _member(group)


@pytest.fixture
def thread(group, member):
    """Started by `member`, who follows it."""
    return services.thread_start(
        group=group, author=member, title="Rosa's tea & cake", body="Who brings what?", now=NOW
    )


def _sent(after: int = 0) -> list[tuple[str, str]]:
    """(recipient, kind) of every email sent, from the email log, in order (queued after the
    row `after`: what the set-up sent is not the test's)."""
    sent = Email.objects.filter(state=EmailState.SENT, recipient__isnull=False, pk__gt=after)
    return list(sent.order_by("pk").values_list("address", "kind"))


def _last_logged() -> int:
    return Email.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def _to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _unsubscribe(client, message) -> None:
    """What a mail client does with List-Unsubscribe-Post (RFC 8058)."""
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    response = client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200


# --- Replies in followed discussions -----------------------------------------------------------


def test_reply_emails_each_follower_who_wants_it(group, organizer, member, thread, commit):
    follower = _member(group)
    quiet = _member(group, notify_discussions=False)
    digester = _member(group, discussion_digest=True)
    removed = _member(group)
    banned = _member(group)
    replier = _member(group)
    for person in (follower, quiet, digester, removed, banned):
        services.thread_follow(thread=thread, member=person)
    group_services.membership_remove(membership=Membership.objects.get(user=removed), by=organizer)
    group_services.membership_ban(group=group, user=banned, by=organizer)
    mail.outbox.clear()
    with commit():
        services.thread_reply(thread=thread, author=replier, body="I'll bake.", now=NOW)
    assert _to() == sorted([member.email, follower.email])
    assert sorted(_sent()) == sorted(
        [(member.email, ConversationEmail.REPLY), (follower.email, ConversationEmail.REPLY)]
    )
    assert [m.subject for m in mail.outbox] == ["New reply: Rosa's tea & cake"] * 2


def test_reply_email_not_to_its_author(group, member, other, thread, commit):
    with commit():
        services.thread_reply(thread=thread, author=other, body="Cake!", now=NOW)  # other follows
    mail.outbox.clear()
    with commit():
        services.thread_reply(thread=thread, author=other, body="And tea.", now=NOW)
    assert _to() == [member.email]


def test_reply_by_muted_member_sends_nothing(group, organizer, thread, other, commit):
    services.member_mute(group=group, member=other, by=organizer)
    mail.outbox.clear()
    with pytest.raises(ValidationError) as error, commit():
        services.thread_reply(thread=thread, author=other, body="Let me in")
    assert error.value.code == "muted"
    assert (mail.outbox, thread.replies.count()) == ([], 0)


def test_reply_email_headers_and_text(group, member, other, thread, commit):
    with commit():
        services.thread_reply(thread=thread, author=other, body="We're *baking*.", now=NOW)
    [message] = mail.outbox
    assert message.extra_headers["List-Id"] == list_id(group)
    assert message.extra_headers["List-Id"] == f"{group.name} <{group.slug}.localhost>"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/email/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{other.display_name} replied in “Rosa's tea & cake”:" in message.body
    assert "We're *baking*." in message.body
    assert ("&#x27;" in message.body, "&amp;" in message.body) == (False, False)
    html = message.alternatives[0][0]
    assert "Rosa&#x27;s tea &amp; cake" in html
    assert "<em>baking</em>" in html


def test_reply_email_one_click_unsubscribe(client, group, member, other, thread, commit):
    with commit():
        services.thread_reply(thread=thread, author=other, body="Cake!", now=NOW)
    [message] = mail.outbox
    _unsubscribe(client, message)
    member.refresh_from_db()
    assert (member.notify_discussions, member.notify_announcements) == (False, True)
    mail.outbox.clear()
    with commit():
        services.thread_reply(thread=thread, author=other, body="More cake!", now=NOW)
    assert mail.outbox == []


def test_hidden_reply_queued_email_is_not_sent(
    organizer, member, other, thread, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        reply = services.thread_reply(thread=thread, author=other, body="Spam", now=NOW)
    services.reply_hide(reply=reply, by=organizer)
    for callback in queued:
        callback()
    assert (mail.outbox, _sent()) == ([], [])


# --- Daily digests -----------------------------------------------------------------------------


@pytest.fixture
def digester(group, thread, commit):
    """Follows `thread` and chose one email a day."""
    person = _member(group, discussion_digest=True, display_name="Dee Gest")
    with commit():  # the reply's email to the thread's author leaves with it
        services.thread_reply(thread=thread, author=person, body="My own words", now=NOW)
    return person


def test_digest_lists_new_replies_by_others(group, member, other, thread, digester, commit):
    with commit():
        services.thread_reply(
            thread=thread, author=other, body="Cake by other", now=NOW + timedelta(hours=1)
        )
        services.thread_reply(
            thread=thread, author=member, body="Tea by member", now=NOW + timedelta(hours=2)
        )
    mail.outbox.clear()
    before = _last_logged()
    with commit():
        queued = services.digests_send(now=NOW + timedelta(hours=3))
    assert queued == 1
    [message] = mail.outbox
    assert message.to == [digester.email]
    assert _sent(after=before) == [(digester.email, ConversationEmail.DIGEST)]
    assert message.subject == f"{group.name}: today in the discussions you follow"
    assert (
        "Rosa's tea & cake (2 new replies)\n"
        f"- {other.display_name}: Cake by other\n"
        f"- {member.display_name}: Tea by member\n"
    ) in message.body
    assert "My own words" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_digest_none_without_new_replies(digester, commit):
    mail.outbox.clear()
    with commit():
        assert services.digests_send(now=NOW + timedelta(hours=3)) == 0
    assert mail.outbox == []


def test_digest_once_a_day_then_only_newer_replies(other, thread, digester, commit):
    with commit():
        services.thread_reply(
            thread=thread, author=other, body="Old news", now=NOW + timedelta(hours=1)
        )
    mail.outbox.clear()
    with commit():
        services.digests_send(now=NOW + timedelta(hours=2))
    assert _to() == [digester.email]
    with commit():
        services.thread_reply(
            thread=thread, author=other, body="Fresh news", now=NOW + timedelta(hours=3)
        )
    mail.outbox.clear()
    with commit():
        assert services.digests_send(now=NOW + timedelta(hours=20)) == 0
    assert mail.outbox == []
    with commit():
        assert services.digests_send(now=NOW + timedelta(days=1, hours=2)) == 1
    [message] = mail.outbox
    assert message.to == [digester.email]
    assert "Fresh news" in message.body
    assert "Old news" not in message.body


def test_digest_not_to_opted_out_or_former_members(group, other, thread, commit):
    opted_out = _member(group, discussion_digest=True, notify_discussions=False)
    former = _member(group, discussion_digest=True)
    for person in (opted_out, former):
        services.thread_follow(thread=thread, member=person)
    Follow.objects.filter(thread=thread).update(created_at=NOW)
    group_services.membership_leave(group=group, user=former)
    services.thread_reply(thread=thread, author=other, body="News", now=NOW + timedelta(hours=1))
    mail.outbox.clear()
    with commit():
        assert services.digests_send(now=NOW + timedelta(hours=2)) == 0
    assert mail.outbox == []


def test_digest_sent_by_send_reminders(member, other, thread, digester, commit):
    with commit():
        services.thread_reply(
            thread=thread, author=other, body="Cake", now=NOW + timedelta(hours=1)
        )
    mail.outbox.clear()
    before = _last_logged()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False), commit():
        call_command("send_reminders", stdout=io.StringIO())
    assert _to() == [digester.email]
    assert _sent(after=before) == [(digester.email, ConversationEmail.DIGEST)]


# --- Announcements -----------------------------------------------------------------------------


@pytest.fixture
def audience(group, organizer, member):
    """Who is and who is not emailed an announcement."""
    outsider = UserFactory()
    opted_out = _member(group, notify_announcements=False)
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    inactive = _member(group, is_active=False)
    removed = _member(group)
    banned = _member(group)
    group_services.membership_remove(membership=Membership.objects.get(user=removed), by=organizer)
    group_services.membership_ban(group=group, user=banned, by=organizer)
    return {
        "yes": sorted([organizer.email, member.email]),
        "no": [outsider, opted_out, pending, inactive, removed, banned],
    }


def test_announcement_emails_every_member_who_wants_it(group, organizer, audience, commit):
    mail.outbox.clear()
    with commit():
        services.announcement_send(group=group, by=organizer, subject="We're moving", body="Soon")
    assert _to() == audience["yes"]
    assert sorted(_sent()) == [(email, ConversationEmail.GROUP_POST) for email in audience["yes"]]
    assert [m.subject for m in mail.outbox] == [f"{group.name}: We're moving"] * 2
    message = mail.outbox[0]
    assert message.extra_headers["List-Id"] == list_id(group)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body.startswith("We're moving\n\nSoon\n")


def test_announcement_scheduled_is_emailed_once_when_due(group, organizer, audience, commit):
    mail.outbox.clear()
    with commit():
        announcement = services.announcement_send(
            group=group,
            by=organizer,
            subject="Later",
            body="Soon",
            send_at=NOW,
            now=NOW - timedelta(days=1),
        )
    assert mail.outbox == []
    with commit():
        assert services.announcements_send_due(now=NOW - timedelta(minutes=1)) == 0
    assert mail.outbox == []
    with commit():
        assert services.announcements_send_due(now=NOW + timedelta(minutes=1)) == 1
    with commit():
        assert services.announcements_send_due(now=NOW + timedelta(minutes=2)) == 0
    assert _to() == audience["yes"]
    announcement.refresh_from_db()
    assert announcement.emailed_at == NOW + timedelta(minutes=1)


def test_announcement_scheduled_sent_by_send_reminders(group, organizer, audience, commit):
    with time_machine.travel(NOW - timedelta(days=1), tick=False), commit():
        services.announcement_send(
            group=group, by=organizer, subject="Later", body="Soon", send_at=NOW
        )
    mail.outbox.clear()
    for _run in range(2):
        with time_machine.travel(NOW + timedelta(minutes=5), tick=False), commit():
            call_command("send_reminders", stdout=io.StringIO())
    assert _to() == audience["yes"]
    assert Announcement.objects.get().emailed_at == NOW + timedelta(minutes=5)


def test_announcement_one_click_unsubscribe(client, group, organizer, member, commit):
    mail.outbox.clear()
    with commit():
        services.announcement_send(group=group, by=organizer, subject="News", body="Body")
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    _unsubscribe(client, message)
    member.refresh_from_db()
    assert (member.notify_announcements, member.notify_discussions) == (False, True)
    mail.outbox.clear()
    with commit():
        services.announcement_send(group=group, by=organizer, subject="More", body="Body")
    assert _to() == [organizer.email]


# --- Warnings ----------------------------------------------------------------------------------


def test_warning_goes_to_the_author_only(group, organizer, member, commit):
    reporter = _member(group, display_name="Rita Reporter", email="rita.reporter@example.org")
    thread = services.thread_start(group=group, author=member, title="Buy", body="Cheap!")
    report = services.report_file(item=thread, by=reporter, reason="spam", details="Ads again")
    mail.outbox.clear()
    with commit():
        services.report_resolve(report=report, by=organizer, action="warn", note="Please don't.")
    # Besides the organizers' news of the report (tests/groups/test_organizer_alerts.py).
    [message] = [m for m in mail.outbox if m.to != [organizer.email]]
    assert message.to == [member.email]
    assert _sent() == [
        (organizer.email, "report_filed"),
        (member.email, ConversationEmail.WARNING),
    ]
    assert message.subject == f"A note from the organizers of {group.name}"
    assert "The reason given: Spam or advertising." in message.body
    assert "Please don't." in message.body
    everything = message.subject + message.body + message.alternatives[0][0]
    for secret in ("Rita", "Reporter", "rita.reporter", "Ads again"):
        assert secret not in everything
    assert "List-Unsubscribe" not in message.extra_headers
