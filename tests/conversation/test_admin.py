"""The organizers' moderation in the admin: reports dealt with through the change form,
comments, discussions and replies hidden and shown again, edit history read-only, mutes,
categories and announcements emailed once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversation import services
from conversation.models import (
    Announcement,
    Category,
    Comment,
    Mute,
    Reply,
    Report,
    ReportAction,
    ReportStatus,
    Revision,
    Thread,
)
from core.models import Email, EmailState
from groups.models import Ban, Membership, MembershipStatus, Role
from tests.factories import (
    AnnouncementFactory,
    CommentFactory,
    EventFactory,
    GroupFactory,
    MembershipFactory,
    ReplyFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["report", "comment", "thread", "reply", "mute", "category", "announcement"]


def _changelist(model: str) -> str:
    return reverse(f"admin:conversation_{model}_changelist")


def _change(obj) -> str:
    return reverse(f"admin:conversation_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def author(group):
    return MembershipFactory(group=group, role=Role.MEMBER).user


@pytest.fixture
def reporters(group):
    return [MembershipFactory(group=group, role=Role.MEMBER).user for _ in range(2)]


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def comment(event, author):
    return services.comment_add(event=event, author=author, body="You are all **wrong**.")


def _item(kind: str, group, author):
    if kind == "comment":
        return CommentFactory(event=EventFactory(group=group), author=author)
    if kind == "thread":
        return ThreadFactory(group=group, author=author)
    return ReplyFactory(thread=ThreadFactory(group=group), author=author)


def _resolve(client, report, action: str, note: str = ""):
    return client.post(_change(report), {"resolution": action, "note": note, "_save": "Save"})


@pytest.fixture
def rows(group, organizer, member, author, reporters, event, comment):
    """Something on every conversation admin page: items with their edit history, open and
    resolved reports (one about an item since deleted), a mute, a category, announcements
    emailed and scheduled."""
    services.comment_edit(comment=comment, by=author, body="You are all wrong, sorry.")
    answer = services.comment_add(event=event, author=member, body="Why?", parent=comment)
    category = Category.objects.create(group=group, name="Projects")
    thread = services.thread_start(
        group=group, author=author, title="Co-ops", body="Hello", category=category
    )
    services.thread_edit(thread=thread, by=author, title="Co-ops!", body="Hello all")
    reply = services.thread_reply(thread=thread, author=member, body="Welcome")
    services.reply_edit(reply=reply, by=member, body="Welcome, all")
    open_report = services.report_file(item=comment, by=reporters[0], reason="disrespectful")
    on_reply = services.report_file(item=answer, by=reporters[1], reason="off_topic")
    on_thread = services.report_file(item=thread, by=reporters[1], reason="spam")
    services.report_resolve(report=on_thread, by=organizer, action=ReportAction.DISMISS)
    gone = services.report_file(item=reply, by=reporters[0], reason="spam")
    services.item_delete(item=Reply.objects.get(pk=reply.pk), by=organizer)
    reply = services.thread_reply(thread=thread, author=author, body="Still here")
    mute = services.member_mute(group=group, member=reporters[1], by=organizer, reason="Spam")
    emailed = AnnouncementFactory(group=group, author=organizer)
    scheduled = AnnouncementFactory(
        group=group, send_at=timezone.now() + timedelta(days=2), emailed_at=None
    )
    return {
        "comment": comment,
        "answer": answer,
        "thread": thread,
        "reply": reply,
        "open_report": open_report,
        "on_reply": on_reply,
        "resolved_report": Report.objects.get(pk=on_thread.pk),
        "gone_report": Report.objects.get(pk=gone.pk),
        "mute": mute,
        "category": category,
        "emailed": emailed,
        "scheduled": scheduled,
    }


def _pages(rows) -> dict[str, int]:
    """Every conversation admin page, with what an organizer gets."""
    pages = {_changelist(model): 200 for model in MODELS}
    pages |= {_changelist(model) + "?q=a": 200 for model in MODELS}
    pages |= {_change(obj): 200 for obj in rows.values()}
    pages |= {
        _changelist("comment") + "?hidden=yes&pinned__exact=0": 200,
        _changelist("thread") + f"?hidden=no&category__id__exact={rows['category'].pk}": 200,
        _changelist("report") + "?status__exact=open&reason__exact=spam": 200,
        _changelist("reply") + "?hidden=maybe": 302,  # the changelist's "?e=1" redirect
    }
    for model in MODELS:
        members_write = model in ("report", "comment", "thread", "reply")
        pages[reverse(f"admin:conversation_{model}_add")] = 403 if members_write else 200
    return pages


def test_admin_pages_open_for_an_organizer(client, organizer, rows):
    assert organizer.is_superuser is False
    client.force_login(organizer)
    pages = _pages(rows)
    assert {url: client.get(url).status_code for url in pages} == pages


def test_admin_pages_refuse_a_plain_member(client, member, rows):
    client.force_login(member)
    answers = {url: client.get(url) for url in _pages(rows)}
    assert {url: (r.status_code, r["Location"].split("?")[0]) for url, r in answers.items()} == {
        url: (302, "/admin/login/") for url in answers
    }


GARBAGE = ["abc", "99999999999999999999", "-1", "1'", ""]


@pytest.mark.parametrize("model", [m for m in MODELS if m != "category"])  # no filters
def test_admin_filters_refuse_garbage_without_an_error(client, organizer, rows, model):
    """As tests/events/test_admin_filters.py: 200 with nothing shown, the "?e=1" redirect, or
    400 (core/adminguard.py: a non-boolean `__isnull`)."""
    client.force_login(organizer)
    client.raise_request_exception = False
    url = _changelist(model)
    changelist = client.get(url).context["cl"]
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if changelist.date_hierarchy:
        names += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    answers = {}
    for name in names:
        for value in GARBAGE:
            response = client.get(url, {name: value})
            if response.status_code == 200:
                shown = response.context["cl"].result_count
                answers[(name, value)] = shown == 0 or value == ""
            elif response.status_code == 400:
                answers[(name, value)] = name.endswith("__isnull")
            else:
                answers[(name, value)] = response.get("Location") == f"{url}?e=1"
    assert {key: fine for key, fine in answers.items() if not fine} == {}
    assert len(answers) == len(names) * len(GARBAGE) > 0


def test_revisions_are_not_registered_on_their_own(client, organizer):
    client.force_login(organizer)
    assert client.get("/admin/conversation/revision/").status_code == 404


# --- Reports -----------------------------------------------------------------------------------


def test_report_list_shows_open_reports_first_then_newest(client, organizer, reporters, comment):
    now = timezone.now()
    old_open = services.report_file(
        item=comment, by=reporters[0], reason="spam", now=now - timedelta(days=3)
    )
    new_resolved = services.report_file(item=comment, by=reporters[1], reason="spam", now=now)
    Report.objects.filter(pk=new_resolved.pk).update(status=ReportStatus.RESOLVED)
    newer_open = services.report_file(
        item=ThreadFactory(), by=reporters[1], reason="spam", now=now - timedelta(days=1)
    )
    client.force_login(organizer)
    shown = list(client.get(_changelist("report")).context["cl"].result_list)
    assert shown == [newer_open, old_open, new_resolved]


def test_report_page_shows_the_item_in_context(client, organizer, group, author, reporters, event):
    top = services.comment_add(event=event, author=organizer, body="Bring snacks.")
    comment = services.comment_add(event=event, author=author, body="No **way**.", parent=top)
    report = services.report_file(item=comment, by=reporters[0], reason="spam", details="Rude")
    services.report_file(item=comment, by=reporters[1], reason="spam")
    services.comment_edit(comment=comment, by=author, body="No *way* <script>x</script>")
    services.member_mute(group=group, member=author, by=organizer)
    client.force_login(organizer)
    html = client.get(_change(report)).content.decode()
    membership = Membership.objects.get(user=author)
    expected = [
        "No **way**.",  # what it said when reported (the excerpt)
        "<p>No <em>way</em> </p>",  # what it says now, sanitized
        "<p>Bring snacks.</p>",  # the comment it answers
        f'<a href="{event.get_absolute_url()}">{event.title}</a>',
        f'<a href="{reverse("admin:groups_membership_change", args=[membership.pk])}">',
        "Muted until an organizer lifts it.",
        "1 other open report about it.",
        'name="resolution"',
        'name="note"',
    ]
    assert [part in html for part in expected] == [True] * len(expected)
    assert "<script>" not in html.split('id="content-main"')[1]


def test_report_page_shows_a_reply_in_its_discussion(client, organizer, group, author, reporters):
    reply = ReplyFactory(thread=ThreadFactory(group=group, title="Budget"), author=author)
    report = services.report_file(item=reply, by=reporters[0], reason="spam")
    client.force_login(organizer)
    html = client.get(_change(report)).content.decode()
    assert f'<a href="{reply.thread.get_absolute_url()}">Budget</a>' in html
    assert "Not muted." in html


@pytest.mark.parametrize("kind", ["comment", "thread", "reply"])
def test_report_hide_hides_the_item_and_closes_its_open_reports(
    client, organizer, group, author, reporters, kind
):
    item = _item(kind, group, author)
    first = services.report_file(item=item, by=reporters[0], reason="spam")
    second = services.report_file(item=item, by=reporters[1], reason="off_topic")
    other = services.report_file(item=_item(kind, group, author), by=reporters[0], reason="spam")
    client.force_login(organizer)
    response = _resolve(client, first, "hide")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.hidden_at is not None
    assert item.hidden_by == organizer
    closed = Report.objects.order_by("pk").values_list("pk", "status", "action", "resolved_by")
    assert list(closed) == [
        (first.pk, ReportStatus.RESOLVED, ReportAction.HIDE, organizer.pk),
        (second.pk, ReportStatus.RESOLVED, ReportAction.HIDE, organizer.pk),
        (other.pk, ReportStatus.OPEN, "", None),
    ]


def test_report_dismiss_leaves_the_item(client, organizer, reporters, comment):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    client.force_login(organizer)
    assert _resolve(client, report, "dismiss").status_code == 302
    report.refresh_from_db()
    assert (report.status, report.action, report.resolved_by) == (
        ReportStatus.RESOLVED,
        ReportAction.DISMISS,
        organizer,
    )
    assert Comment.objects.filter(pk=comment.pk).values_list("hidden_at", "body").get() == (
        None,
        "You are all **wrong**.",
    )


def test_report_delete_deletes_the_item_and_keeps_what_it_said(
    client, organizer, reporters, comment
):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    client.force_login(organizer)
    assert _resolve(client, report, "delete").status_code == 302
    report.refresh_from_db()
    assert Comment.objects.filter(pk=comment.pk).exists() is False
    assert (report.comment, report.excerpt, report.action) == (
        None,
        "You are all **wrong**.",
        ReportAction.DELETE,
    )
    assert client.get(_change(report)).status_code == 200


def test_report_warn_emails_the_author_once(
    client, organizer, author, reporters, comment, django_capture_on_commit_callbacks
):
    report = services.report_file(item=comment, by=reporters[0], reason="disrespectful")
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _resolve(client, report, "warn", note="Please stay kind.")
    assert response.status_code == 302
    # Besides the organizers' news of the report (tests/groups/test_organizer_alerts.py).
    warnings = [message for message in mail.outbox if message.to != [organizer.email]]
    assert [message.to for message in warnings] == [[author.email]]
    assert "Please stay kind." in warnings[0].body
    logged = Email.objects.exclude(kind="report_filed").values_list("kind", "recipient", "state")
    assert list(logged) == [("warning", author.pk, EmailState.SENT)]
    assert Comment.objects.get(pk=comment.pk).hidden_at is None


def test_report_mute_keeps_the_author_from_posting(
    client, organizer, group, author, reporters, event, comment
):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    client.force_login(organizer)
    assert _resolve(client, report, "mute", note="Spam again").status_code == 302
    mute = Mute.objects.get()
    assert (mute.group, mute.member, mute.by, mute.reason) == (
        group,
        author,
        organizer,
        "Spam again",
    )
    assert Comment.objects.get(pk=comment.pk).hidden_at is not None
    with pytest.raises(ValidationError) as refused:
        services.comment_add(event=event, author=author, body="Me again")
    assert refused.value.code == "muted"


def test_report_remove_ends_the_membership(client, organizer, group, author, reporters, comment):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    client.force_login(organizer)
    assert _resolve(client, report, "remove", note="Spam").status_code == 302
    assert Membership.objects.filter(group=group, user=author).exists() is False
    assert Ban.objects.exists() is False
    assert Comment.objects.get(pk=comment.pk).hidden_at is not None


def test_report_ban_bans_the_author(client, organizer, group, author, reporters, comment):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    client.force_login(organizer)
    assert _resolve(client, report, "ban", note="Harassment").status_code == 302
    assert Membership.objects.filter(group=group, user=author).exists() is False
    ban = Ban.objects.get()
    assert (ban.group, ban.user, ban.by, ban.reason) == (group, author, organizer, "Harassment")


def test_report_refused_by_the_service_stores_nothing(client, organizer, member, event):
    """Banning yourself is refused after the item was hidden: the hide is undone too."""
    own = services.comment_add(event=event, author=organizer, body="Organizer here")
    report = services.report_file(item=own, by=member, reason="spam")
    client.force_login(organizer)
    response = _resolve(client, report, "ban")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "resolution": ["You cannot remove or ban yourself; leave the group instead."]
    }
    report.refresh_from_db()
    assert (report.status, report.action) == (ReportStatus.OPEN, "")
    assert Comment.objects.get(pk=own.pk).hidden_at is None
    assert Ban.objects.exists() is False


def test_report_co_organizer_cannot_ban_an_organizer(client, group, organizer, member, event):
    """As in the memberships admin: only the organizer role removes or bans organizers."""
    co_organizer = UserFactory(is_staff=True)
    co_organizer.groups.add(*organizer.groups.all())
    MembershipFactory(group=group, user=co_organizer, role=Role.CO_ORGANIZER)
    own = services.comment_add(event=event, author=organizer, body="Organizer here")
    report = services.report_file(item=own, by=member, reason="spam")
    client.force_login(co_organizer)
    answers = [
        _resolve(client, report, action).context["adminform"].form.errors
        for action in ("remove", "ban")
    ]
    refused = {
        "resolution": [
            f"Only an organizer, not a co-organizer, removes or bans {organizer.display_name}: "
            "they are one of the group's organizers."
        ]
    }
    assert answers == [refused, refused]
    assert Membership.objects.filter(user=organizer).exists() is True
    assert _resolve(client, report, "hide").status_code == 302


def test_report_about_a_deleted_item_can_only_be_dismissed(client, organizer, reporters, comment):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    services.comment_delete(comment=comment, by=comment.author)
    client.force_login(organizer)
    response = _resolve(client, report, "hide")
    assert response.context["adminform"].form.errors == {
        "resolution": ["The reported item is gone; dismiss the report."]
    }
    assert _resolve(client, report, "dismiss").status_code == 302
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RESOLVED


def test_resolved_report_is_read_only(client, organizer, reporters, comment):
    report = services.report_file(item=comment, by=reporters[0], reason="spam")
    client.force_login(organizer)
    _resolve(client, report, "hide", note="Not here")
    response = client.get(_change(report))
    html = response.content.decode()
    assert response.context["adminform"].form.fields == {}
    assert ('name="resolution"' in html, 'name="note"' in html, "Not here" in html) == (
        False,
        False,
        True,
    )
    assert _resolve(client, report, "ban").status_code == 403
    assert Membership.objects.filter(user=comment.author).exists() is True


def test_reports_are_not_added_and_only_superusers_delete_them(client, organizer, rows):
    client.force_login(organizer)
    delete = reverse("admin:conversation_report_delete", args=[rows["open_report"].pk])
    assert client.get(delete).status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(delete).status_code == 200


def _changelist_queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_changelist(model)).status_code == 200
    return len(queries)


def _reports(group, count: int) -> None:
    for number in range(count):
        reporter = MembershipFactory(group=group).user
        kind = ("comment", "thread", "reply")[number % 3]
        services.report_file(item=_item(kind, group, None), by=reporter, reason="spam")


def test_report_list_queries_do_not_grow_with_reports(client, organizer, group):
    _reports(group, 3)
    client.force_login(organizer)
    three = _changelist_queries(client, "report")
    _reports(group, 27)
    assert _changelist_queries(client, "report") == three


@pytest.mark.parametrize("model", ["comment", "thread", "reply", "mute", "announcement"])
def test_lists_queries_do_not_grow_with_rows(client, organizer, group, model):
    def add(count):
        for _ in range(count):
            user = MembershipFactory(group=group).user
            if model == "mute":
                services.member_mute(group=group, member=user, by=organizer)
            elif model == "announcement":
                AnnouncementFactory(group=group, author=user)
            elif model == "thread":
                ThreadFactory(group=group, author=user, category=Category.objects.first())
            else:
                _item(model, group, user)

    Category.objects.create(group=group, name="General")
    add(3)
    client.force_login(organizer)
    three = _changelist_queries(client, model)
    add(27)
    assert _changelist_queries(client, model) == three


# --- Comments, discussions, replies and their edit history -------------------------------------


def test_hide_and_show_again_actions_call_the_services(client, organizer, group, author):
    comments = [_item("comment", group, author) for _ in range(2)]
    client.force_login(organizer)
    url = _changelist("comment")
    pks = [c.pk for c in comments]
    response = client.post(
        url, {"action": "hide", "_selected_action": pks, "index": 0}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Event comments hidden: 2."]
    hidden = Comment.objects.filter(pk__in=pks).values_list("hidden_by", flat=True)
    assert list(hidden) == [organizer.pk, organizer.pk]
    client.post(url, {"action": "show_again", "_selected_action": pks[:1], "index": 0})
    shown = Comment.objects.order_by("pk").values_list("hidden_at", flat=True)
    assert [when is None for when in shown] == [True, False]


def test_change_page_action_hides_a_reply_and_recounts(client, organizer, group, author):
    reply = _item("reply", group, author)
    client.force_login(organizer)
    response = client.post(
        _change(reply), {"CHANGE_FORM-action": "hide", "_selected_action": reply.pk}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.hidden_by, reply.thread.reply_count) == (organizer, 0)


def test_hidden_filter(client, organizer, group, author):
    shown, hidden = _item("thread", group, author), _item("thread", group, author)
    services.thread_moderate(thread=hidden, by=organizer, hidden=True)
    client.force_login(organizer)
    url = _changelist("thread") + "?hidden="
    lists = {
        value: list(client.get(url + value).context["cl"].result_list) for value in ("yes", "no")
    }
    assert lists == {"yes": [hidden], "no": [shown]}


def _thread_post(thread, **changes) -> dict:
    """The thread's change form as the browser posts it, with the history's management form."""
    revisions = list(thread.revisions.all())
    data = {
        "category": thread.category_id or "",
        "pinned": "on" if thread.pinned else "",
        "locked": "on" if thread.locked else "",
        "revisions-TOTAL_FORMS": len(revisions),
        "revisions-INITIAL_FORMS": len(revisions),
        "revisions-MIN_NUM_FORMS": 0,
        "revisions-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for index, revision in enumerate(revisions):
        data[f"revisions-{index}-id"] = revision.pk
        data[f"revisions-{index}-thread"] = thread.pk
    return {key: value for key, value in (data | changes).items() if value != ""}


def test_thread_pinned_locked_and_moved_through_the_service(client, organizer, group, author):
    thread = services.thread_start(group=group, author=author, title="Plans", body="Let us plan")
    services.thread_edit(thread=thread, by=author, title="Plans!", body="Let us plan.")
    projects = Category.objects.create(group=group, name="Projects")
    Category.objects.create(group=GroupFactory(), name="Elsewhere")
    client.force_login(organizer)
    form = client.get(_change(thread)).context["adminform"].form
    assert list(form.fields["category"].queryset) == [projects]
    response = client.post(
        _change(thread), _thread_post(thread, category=projects.pk, pinned="on", locked="on")
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.category, thread.pinned, thread.locked, thread.title) == (
        projects,
        True,
        True,
        "Plans!",
    )
    with pytest.raises(ValidationError) as refused:
        services.thread_reply(thread=thread, author=author, body="More")
    assert refused.value.code == "locked"


def test_revisions_are_shown_read_only(client, organizer, group, author, event):
    comment = services.comment_add(event=event, author=author, body="First words")
    services.comment_edit(comment=comment, by=author, body="Second words")
    thread = services.thread_start(group=group, author=author, title="Old title", body="Old")
    services.thread_edit(thread=thread, by=author, title="New title", body="New")
    reply = services.thread_reply(thread=thread, author=author, body="Old reply")
    services.reply_edit(reply=reply, by=author, body="New reply")
    client.force_login(organizer)
    for item, earlier in [
        (comment, ["First words"]),
        (thread, ["Old title", "Old"]),
        (reply, ["Old reply"]),
    ]:
        response = client.get(_change(item))
        (inline,) = response.context["inline_admin_formsets"]
        assert (
            inline.has_add_permission,
            inline.has_change_permission,
            inline.has_delete_permission,
            inline.has_view_permission,
        ) == (False, False, False, True)
        html = response.content.decode()
        assert [f"<p>{text}</p>" in html for text in earlier] == [True] * len(earlier)
        assert 'name="revisions-0-body"' not in html


def test_revisions_cannot_be_changed_added_or_deleted(client, organizer, group, author, event):
    thread = services.thread_start(group=group, author=author, title="Old title", body="Old")
    services.thread_edit(thread=thread, by=author, title="New title", body="New")
    revision = thread.revisions.get()
    client.force_login(organizer)
    data = _thread_post(
        thread,
        **{
            "revisions-TOTAL_FORMS": 2,
            "revisions-0-title": "Rewritten",
            "revisions-0-body": "Rewritten",
            "revisions-0-DELETE": "on",
            "revisions-1-thread": thread.pk,
            "revisions-1-title": "Invented",
            "revisions-1-body": "Invented",
        },
    )
    assert client.post(_change(thread), data).status_code == 302
    assert list(Revision.objects.values_list("pk", "title", "body")) == [
        (revision.pk, "Old title", "Old")
    ]
    # Comments and replies have no change form at all: posting one is refused.
    comment = services.comment_add(event=event, author=author, body="First")
    services.comment_edit(comment=comment, by=author, body="Second")
    posted = {
        "revisions-TOTAL_FORMS": 1,
        "revisions-INITIAL_FORMS": 1,
        "revisions-0-id": comment.revisions.get().pk,
        "revisions-0-body": "Rewritten",
        "_save": "Save",
    }
    assert client.post(_change(comment), posted).status_code == 403
    assert list(comment.revisions.values_list("body", flat=True)) == ["First"]


def test_items_are_not_added_in_the_admin(client, organizer):
    client.force_login(organizer)
    answers = [
        client.get(reverse(f"admin:conversation_{m}_add")).status_code
        for m in ("comment", "thread", "reply")
    ]
    assert answers == [403, 403, 403]


def test_deleting_a_reply_in_the_admin_recounts_the_discussion(client, organizer, group, author):
    reply = _item("reply", group, author)
    client.force_login(organizer)
    delete = reverse("admin:conversation_reply_delete", args=[reply.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert (Reply.objects.exists(), Thread.objects.get().reply_count) == (False, 0)


# --- Mutes and categories ----------------------------------------------------------------------


def test_mute_added_and_lifted_through_the_services(client, organizer, group, author, event):
    client.force_login(organizer)
    response = client.post(
        reverse("admin:conversation_mute_add"),
        {"group": group.pk, "member": author.pk, "reason": "Cooling off", "_save": "Save"},
    )
    assert response.status_code == 302
    mute = Mute.objects.get()
    assert (mute.member, mute.by, mute.reason, mute.until) == (
        author,
        organizer,
        "Cooling off",
        None,
    )
    with pytest.raises(ValidationError):
        services.comment_add(event=event, author=author, body="Hello")
    delete = reverse("admin:conversation_mute_delete", args=[mute.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert Mute.objects.exists() is False
    assert services.comment_add(event=event, author=author, body="Hello").author == author


def test_mute_refused_by_the_service_shows_on_the_form(client, organizer, group):
    client.force_login(organizer)
    response = client.post(
        reverse("admin:conversation_mute_add"),
        {"group": group.pk, "member": organizer.pk, "reason": "", "_save": "Save"},
    )
    assert response.context["adminform"].form.errors == {"member": ["You cannot mute yourself."]}
    assert Mute.objects.exists() is False


def test_mute_until_must_be_in_the_future(client, organizer, group, author):
    client.force_login(organizer)
    response = client.post(
        reverse("admin:conversation_mute_add"),
        {"group": group.pk, "member": author.pk, "until_0": "2020-01-01", "until_1": "10:00"},
    )
    assert response.context["adminform"].form.errors == {
        "until": ["Choose a time in the future, or leave it empty."]
    }


def test_category_added_with_the_group_preset(client, organizer, group):
    client.force_login(organizer)
    html = client.get(reverse("admin:conversation_category_add")).content.decode()
    assert f'<input type="hidden" name="group" value="{group.pk}"' in html
    response = client.post(
        reverse("admin:conversation_category_add"),
        {
            "group": group.pk,
            "name_en": "Projects",
            "name_es": "Proyectos",
            "position": 2,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert list(Category.objects.values_list("group", "name_en", "name_es", "position")) == [
        (group.pk, "Projects", "Proyectos", 2)
    ]


# --- Announcements -----------------------------------------------------------------------------


@pytest.fixture
def audience(group, member, organizer):
    """Who an announcement reaches (member, organizer) and who it does not."""
    quiet = MembershipFactory(group=group, user=UserFactory(notify_announcements=False)).user
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    outsider = UserFactory()
    return {"emailed": sorted([member.email, organizer.email]), "not": [quiet, pending, outsider]}


def _announce(client, group, send_at=None):
    when = {}
    if send_at is not None:
        local = timezone.localtime(send_at, group.zone)
        when = {"send_at_0": local.strftime("%Y-%m-%d"), "send_at_1": local.strftime("%H:%M:%S")}
    data = {"group": group.pk, "subject_en": "  Picnic   Sunday ", "body_en": "Bring **food**."}
    return client.post(reverse("admin:conversation_announcement_add"), data | when)


def test_announcement_added_now_emails_members_who_want_it(
    client, organizer, group, audience, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _announce(client, group)
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert (announcement.subject, announcement.author, announcement.body_html) == (
        "Picnic Sunday",
        organizer,
        "<p>Bring <strong>food</strong>.</p>",
    )
    assert announcement.emailed_at == announcement.send_at
    assert sorted(message.to[0] for message in mail.outbox) == audience["emailed"]
    assert sorted(Email.objects.values_list("address", flat=True)) == audience["emailed"]


def test_scheduled_announcement_waits_for_send_reminders(
    client, organizer, group, audience, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    send_at = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert _announce(client, group, send_at=send_at).status_code == 302
        call_command("send_reminders", stdout=StringIO())
    announcement = Announcement.objects.get()
    assert (announcement.send_at, announcement.emailed_at, mail.outbox) == (send_at, None, [])
    Announcement.objects.filter(pk=announcement.pk).update(
        send_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
        call_command("send_reminders", stdout=StringIO())
    assert sorted(message.to[0] for message in mail.outbox) == audience["emailed"]
    assert Announcement.objects.get().emailed_at is not None


def test_emailed_announcement_corrected_is_not_emailed_again(
    client, organizer, group, member, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        _announce(client, group)
    announcement = Announcement.objects.get()
    sent = len(mail.outbox)
    form = client.get(_change(announcement)).context["adminform"].form
    assert list(form.fields) == ["subject_en", "subject_es", "body_en", "body_es"]
    later = timezone.localtime(timezone.now() + timedelta(days=3), group.zone)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change(announcement),
            {
                "subject_en": "Picnic on Sunday",
                "body_en": "Bring *food*.",
                "send_at_0": later.strftime("%Y-%m-%d"),
                "send_at_1": "10:00:00",
                "_save": "Save",
            },
        )
        call_command("send_reminders", stdout=StringIO())
    assert response.status_code == 302
    corrected = Announcement.objects.get()
    assert (corrected.subject, corrected.body_html, corrected.send_at) == (
        "Picnic on Sunday",
        "<p>Bring <em>food</em>.</p>",
        announcement.send_at,
    )
    assert (len(mail.outbox), sent) == (2, 2)
    delete = reverse("admin:conversation_announcement_delete", args=[announcement.pk])
    assert client.get(delete).status_code == 403


def test_scheduled_announcement_rescheduled_or_cancelled(client, organizer, group):
    scheduled = AnnouncementFactory(
        group=group, send_at=timezone.now() + timedelta(days=2), emailed_at=None
    )
    client.force_login(organizer)
    form = client.get(_change(scheduled)).context["adminform"].form
    assert list(form.fields) == ["subject_en", "subject_es", "body_en", "body_es", "send_at"]
    later = timezone.localtime(timezone.now() + timedelta(days=5), group.zone).replace(
        microsecond=0
    )
    response = client.post(
        _change(scheduled),
        {
            "subject_en": "News",
            "body_en": "Later",
            "send_at_0": later.strftime("%Y-%m-%d"),
            "send_at_1": later.strftime("%H:%M:%S"),
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert Announcement.objects.values_list("send_at", "emailed_at").get() == (later, None)
    delete = reverse("admin:conversation_announcement_delete", args=[scheduled.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert Announcement.objects.exists() is False


def test_announcement_list_says_scheduled(client, organizer, group):
    AnnouncementFactory(group=group, send_at=timezone.now() + timedelta(days=2), emailed_at=None)
    client.force_login(organizer)
    html = client.get(_changelist("announcement")).content.decode()
    assert '<td class="field-emailed">scheduled</td>' in html


def test_admin_index_says_how_many_reports_wait(client, group, organizer):
    client.force_login(organizer)
    assert "report waiting" not in client.get("/admin/").content.decode()
    event = EventFactory(group=group)
    author, reporter = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    comment = services.comment_add(event=event, author=author, body="Rude")
    services.report_file(item=comment, by=reporter, reason="spam")
    page = client.get("/admin/").content.decode()
    assert "1 report waiting" in page
    assert "/admin/conversation/report/?status__exact=open" in page
