"""The rules of conversations: who writes, edits, deletes, hides, pins, reports and is muted."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from conversation import services
from conversation.models import Comment, Follow, Report, ReportStatus, Revision, Thread
from groups import services as group_services
from groups.models import MembershipStatus, Role
from tests.factories import (
    CommentFactory,
    EventFactory,
    MembershipFactory,
    ReplyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def other(group):
    """A second member of the group."""
    return MembershipFactory(group=group, role=Role.MEMBER).user


@pytest.fixture
def thread(group, member):
    return services.thread_start(group=group, author=member, title="Tea", body="Who brings tea?")


# --- Comments ----------------------------------------------------------------------------------


def test_comment_add_by_member_stores_sanitized_html(event, member):
    comment = services.comment_add(
        event=event, author=member, body="Hi <script>alert(1)</script> **there**"
    )
    comment.refresh_from_db()
    assert (comment.author, comment.event, comment.parent, comment.by_host) == (
        member,
        event,
        None,
        False,
    )
    assert comment.body == "Hi <script>alert(1)</script> **there**"
    assert "<script" not in comment.body_html
    assert "<strong>there</strong>" in comment.body_html


def test_comment_add_by_organizer_is_by_host(event, organizer):
    comment = services.comment_add(event=event, author=organizer, body="Doors open at six.")
    assert comment.by_host is True


def test_comment_add_by_event_host_is_by_host(event, other):
    event.hosts.add(other)
    comment = services.comment_add(event=event, author=other, body="I will be at the door.")
    assert comment.by_host is True


def test_comment_add_by_non_member_refused(event):
    with pytest.raises(PermissionDenied):
        services.comment_add(event=event, author=UserFactory(), body="Hello")
    assert Comment.objects.count() == 0


def test_comment_add_by_pending_member_refused(group, event):
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    with pytest.raises(PermissionDenied):
        services.comment_add(event=event, author=pending, body="Hello")
    assert Comment.objects.count() == 0


def test_comment_add_by_former_member_refused(group, event, other):
    group_services.membership_leave(group=group, user=other)
    with pytest.raises(PermissionDenied):
        services.comment_add(event=event, author=other, body="Hello")
    assert Comment.objects.count() == 0


def test_comment_add_on_draft_event_refused(group, organizer):
    draft = EventFactory(group=group, status="draft")
    with pytest.raises(PermissionDenied):
        services.comment_add(event=draft, author=organizer, body="Hello")
    assert Comment.objects.count() == 0


def test_comment_reply_to_a_reply_attaches_to_the_top_comment(event, member, other, organizer):
    top = services.comment_add(event=event, author=member, body="Is there parking?")
    answer = services.comment_add(event=event, author=organizer, body="Yes.", parent=top)
    thanks = services.comment_add(event=event, author=member, body="Thanks!", parent=answer)
    assert (answer.parent, thanks.parent) == (top, top)
    assert list(top.replies.all()) == [answer, thanks]


def test_comment_add_empty_body_refused(event, member):
    with pytest.raises(ValidationError) as error:
        services.comment_add(event=event, author=member, body="   \n ")
    assert error.value.message_dict == {"body": ["Write something first."]}
    assert Comment.objects.count() == 0


def test_comment_edit_keeps_a_revision(event, member):
    comment = services.comment_add(event=event, author=member, body="First words")
    edited = services.comment_edit(comment=comment, by=member, body="Better words", now=NOW)
    edited.refresh_from_db()
    assert (edited.body, edited.edited_at) == ("Better words", NOW)
    assert "Better words" in edited.body_html
    assert [(r.body, r.comment, r.replaced_at) for r in Revision.objects.all()] == [
        ("First words", edited, NOW)
    ]


@pytest.mark.parametrize("who", ["other", "organizer"])
def test_comment_edit_and_delete_by_someone_else_refused(request, event, member, who):
    comment = services.comment_add(event=event, author=member, body="Mine")
    someone = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, by=someone, body="Theirs")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, by=someone)
    comment.refresh_from_db()
    assert (comment.body, comment.deleted_at, Revision.objects.count()) == ("Mine", None, 0)


def test_comment_delete_with_replies_leaves_a_marker(event, member, other):
    top = services.comment_add(event=event, author=member, body="Question")
    services.comment_edit(comment=top, by=member, body="Question, edited")
    reply = services.comment_add(event=event, author=other, body="Answer", parent=top)
    services.comment_delete(comment=top, by=member, now=NOW)
    top.refresh_from_db()
    assert (top.body, top.body_html, top.deleted_at) == ("", "", NOW)
    assert list(top.replies.all()) == [reply]
    assert Revision.objects.count() == 0


def test_comment_delete_without_replies_removes_it(event, member):
    comment = services.comment_add(event=event, author=member, body="Oops")
    services.comment_edit(comment=comment, by=member, body="Oops, edited")
    services.comment_delete(comment=comment, by=member)
    assert (Comment.objects.count(), Revision.objects.count()) == (0, 0)


def test_comment_delete_of_a_reply_removes_it(event, member, other):
    top = services.comment_add(event=event, author=other, body="Question")
    reply = services.comment_add(event=event, author=member, body="Answer", parent=top)
    services.comment_delete(comment=reply, by=member)
    assert list(Comment.objects.all()) == [top]


@pytest.mark.parametrize("who", ["organizer", "host"])
def test_comment_hide_by_organizer_or_host(request, event, member, other, who):
    if who == "host":
        event.hosts.add(other)
    moderator = other if who == "host" else request.getfixturevalue("organizer")
    comment = services.comment_add(event=event, author=member, body="Rude")
    hidden = services.comment_hide(comment=comment, by=moderator, now=NOW)
    assert (hidden.hidden_at, hidden.hidden_by) == (NOW, moderator)
    assert list(Comment.objects.shown()) == []


def test_comment_hide_and_pin_change_the_cached_event_page(client, group, organizer, other):
    event = EventFactory(group=group, comments_public=True)
    comment = services.comment_add(event=event, author=other, body="Rude words")
    member_client = Client()
    member_client.force_login(MembershipFactory(group=group).user)
    for visitor in (client, member_client):  # both versions of the page are cached
        assert "Rude words" in visitor.get(event.get_absolute_url()).text
    services.comment_hide(comment=comment, by=organizer)
    for visitor in (client, member_client):
        assert "Rude words" not in visitor.get(event.get_absolute_url()).text
    services.comment_unhide(comment=comment, by=organizer)
    assert "Rude words" in client.get(event.get_absolute_url()).text
    services.comment_pin(comment=comment, by=organizer)
    assert 'class="comment pinned"' in client.get(event.get_absolute_url()).text


def test_comment_hide_by_member_refused(event, member, other):
    comment = services.comment_add(event=event, author=member, body="Fine")
    with pytest.raises(PermissionDenied):
        services.comment_hide(comment=comment, by=other)
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_comment_pin_top_level_only(event, member, organizer):
    top = services.comment_add(event=event, author=member, body="Question")
    reply = services.comment_add(event=event, author=organizer, body="Answer", parent=top)
    assert services.comment_pin(comment=top, by=organizer).pinned is True
    with pytest.raises(ValidationError) as error:
        services.comment_pin(comment=reply, by=organizer)
    assert error.value.code == "pin"
    reply.refresh_from_db()
    assert reply.pinned is False


def test_comment_pin_by_member_refused(event, member, other):
    comment = services.comment_add(event=event, author=member, body="Question")
    with pytest.raises(PermissionDenied):
        services.comment_pin(comment=comment, by=other)
    comment.refresh_from_db()
    assert comment.pinned is False


# --- Discussions -------------------------------------------------------------------------------


def test_thread_start_author_follows(group, member):
    thread = services.thread_start(group=group, author=member, title="  Tea   time ", body="Hi")
    assert thread.title == "Tea time"
    assert list(Follow.objects.values_list("thread", "member")) == [(thread.pk, member.pk)]


def test_thread_reply_counts_and_follows(thread, member, other):
    later = NOW + timedelta(hours=1)
    reply = services.thread_reply(thread=thread, author=other, body="Me!", now=later)
    thread.refresh_from_db()
    assert (thread.reply_count, thread.last_activity_at) == (1, later)
    assert list(thread.replies.all()) == [reply]
    assert sorted(Follow.objects.values_list("member", flat=True)) == sorted([member.pk, other.pk])
    services.thread_reply(thread=thread, author=other, body="And cake.", now=later)
    thread.refresh_from_db()
    assert thread.reply_count == 2
    assert Follow.objects.filter(member=other).count() == 1


def test_thread_reply_on_locked_thread_refused(thread, other, organizer):
    services.thread_moderate(thread=thread, by=organizer, locked=True)
    with pytest.raises(ValidationError) as error:
        services.thread_reply(thread=thread, author=other, body="Me!")
    assert error.value.code == "locked"
    thread.refresh_from_db()
    assert (thread.reply_count, thread.replies.count()) == (0, 0)


def test_thread_reply_on_hidden_thread_refused(thread, other, organizer):
    services.thread_moderate(thread=thread, by=organizer, hidden=True)
    with pytest.raises(ValidationError) as error:
        services.thread_reply(thread=thread, author=other, body="Me!")
    assert error.value.code == "gone"
    assert thread.replies.count() == 0


def test_thread_moderate_by_member_refused(thread, other):
    with pytest.raises(PermissionDenied):
        services.thread_moderate(thread=thread, by=other, locked=True)
    thread.refresh_from_db()
    assert thread.locked is False


def test_thread_edit_keeps_a_revision_with_the_title(thread, member):
    services.thread_edit(thread=thread, by=member, title="Tea!", body="Who brings it?", now=NOW)
    thread.refresh_from_db()
    assert (thread.title, thread.body, thread.edited_at) == ("Tea!", "Who brings it?", NOW)
    assert [(r.title, r.body) for r in thread.revisions.all()] == [("Tea", "Who brings tea?")]


def test_reply_hide_recounts(thread, other, organizer):
    reply = services.thread_reply(thread=thread, author=other, body="Spam")
    services.reply_hide(reply=reply, by=organizer)
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_reply_hide_by_member_refused(thread, member, other):
    reply = services.thread_reply(thread=thread, author=other, body="Fine")
    with pytest.raises(PermissionDenied):
        services.reply_hide(reply=reply, by=member)
    reply.refresh_from_db()
    assert reply.hidden_at is None


def test_thread_delete_with_replies_by_others_leaves_a_marker(thread, member, other):
    reply = services.thread_reply(thread=thread, author=other, body="Me!")
    services.thread_delete(thread=thread, by=member, now=NOW)
    thread.refresh_from_db()
    assert (thread.title, thread.body, thread.deleted_at) == ("", "", NOW)
    assert list(thread.replies.all()) == [reply]


def test_thread_delete_with_only_own_replies_removes_it(thread, member):
    services.thread_reply(thread=thread, author=member, body="Anyone?")
    services.thread_delete(thread=thread, by=member)
    assert Thread.objects.count() == 0


# --- Mutes and the posting limit ---------------------------------------------------------------


def test_muted_member_cannot_post(group, event, thread, other, organizer):
    services.member_mute(group=group, member=other, by=organizer)
    attempts = [
        lambda: services.comment_add(event=event, author=other, body="Hi"),
        lambda: services.thread_start(group=group, author=other, title="Hi", body="Hi"),
        lambda: services.thread_reply(thread=thread, author=other, body="Hi"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.code == "muted"
    assert (Comment.objects.count(), Thread.objects.count(), thread.replies.count()) == (0, 1, 0)


def test_expired_mute_lets_the_member_post(group, event, other, organizer):
    services.member_mute(group=group, member=other, by=organizer, until=NOW - timedelta(minutes=1))
    comment = services.comment_add(event=event, author=other, body="Back", now=NOW)
    assert comment.author == other


def test_mute_until_later_still_refuses(group, event, other, organizer):
    services.member_mute(group=group, member=other, by=organizer, until=NOW + timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.comment_add(event=event, author=other, body="Hi", now=NOW)
    assert error.value.code == "muted"


def test_post_rate_refuses_the_fourth_post_by_a_member(settings, group, event, thread, other):
    settings.POTLUCK_POST_RATE = "3/h"
    services.comment_add(event=event, author=other, body="One", now=NOW)
    services.thread_start(group=group, author=other, title="Two", body="Two", now=NOW)
    services.thread_reply(thread=thread, author=other, body="Three", now=NOW)
    with pytest.raises(ValidationError) as error:
        services.comment_add(event=event, author=other, body="Four", now=NOW)
    assert error.value.code == "rate"
    assert list(Comment.objects.values_list("body", flat=True)) == ["One"]
    # Just over an hour later the window has moved on.
    later = services.comment_add(
        event=event, author=other, body="Five", now=NOW + timedelta(hours=1, seconds=1)
    )
    assert later.body == "Five"


def test_post_rate_does_not_limit_organizers(settings, event, organizer):
    settings.POTLUCK_POST_RATE = "3/h"
    for number in range(5):
        services.comment_add(event=event, author=organizer, body=f"Note {number}", now=NOW)
    assert Comment.objects.filter(author=organizer).count() == 5


# --- Reports -----------------------------------------------------------------------------------


def test_report_file_by_member(event, member, other):
    comment = services.comment_add(event=event, author=member, body="Buy my stuff")
    report = services.report_file(item=comment, by=other, reason="spam", details=" Ads ", now=NOW)
    assert (report.comment, report.by, report.reason, report.details, report.excerpt) == (
        comment,
        other,
        "spam",
        "Ads",
        "Buy my stuff",
    )
    assert (report.status, report.group, report.created_at) == (
        ReportStatus.OPEN,
        event.group,
        NOW,
    )


def test_report_file_on_own_item_refused(event, member):
    comment = services.comment_add(event=event, author=member, body="Mine")
    with pytest.raises(ValidationError) as error:
        services.report_file(item=comment, by=member, reason="spam")
    assert error.value.code == "own"
    assert Report.objects.count() == 0


def test_report_file_twice_updates_the_open_report(thread, member, other):
    first = services.report_file(item=thread, by=other, reason="spam")
    second = services.report_file(item=thread, by=other, reason="off_topic", details="Again")
    assert second.pk == first.pk
    assert list(Report.objects.values_list("reason", "details", "excerpt")) == [
        ("off_topic", "Again", "Tea\n\nWho brings tea?")
    ]


def test_report_file_by_non_member_refused(thread):
    with pytest.raises(PermissionDenied):
        services.report_file(item=thread, by=UserFactory(), reason="spam")
    assert Report.objects.count() == 0


def test_report_resolve_closes_every_open_report_on_the_item(
    group, event, member, other, organizer
):
    comment = services.comment_add(event=event, author=member, body="Rude")
    third = MembershipFactory(group=group).user
    mine = services.report_file(item=comment, by=other, reason="disrespectful")
    theirs = services.report_file(item=comment, by=third, reason="spam")
    elsewhere = services.report_file(
        item=CommentFactory(event=event, author=third), by=other, reason="spam"
    )
    closed = services.report_resolve(report=mine, by=organizer, action="hide", note="Done", now=NOW)
    assert closed == 2
    rows = {
        r.pk: (r.status, r.action, r.note, r.resolved_by, r.resolved_at)
        for r in Report.objects.all()
    }
    resolved = (ReportStatus.RESOLVED, "hide", "Done", organizer, NOW)
    assert rows == {
        mine.pk: resolved,
        theirs.pk: resolved,
        elsewhere.pk: (ReportStatus.OPEN, "", "", None, None),
    }
    comment.refresh_from_db()
    assert comment.hidden_at == NOW


def test_report_resolve_by_member_refused(thread, other, group):
    third = MembershipFactory(group=group).user
    report = services.report_file(item=thread, by=other, reason="spam")
    with pytest.raises(PermissionDenied):
        services.report_resolve(report=report, by=third, action="dismiss")
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_report_resolve_mute_stops_the_author_posting(group, thread, member, other, organizer):
    reply = ReplyFactory(thread=thread, author=other)
    report = services.report_file(item=reply, by=member, reason="disrespectful")
    services.report_resolve(report=report, by=organizer, action="mute")
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    assert services.is_muted(group=group, member=other) is True
