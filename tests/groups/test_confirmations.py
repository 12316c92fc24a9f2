"""Two organizers for destructive acts: where a group has two or more organizers, a ban, a
removal, deleting the group, cancelling a poll or deleting a discussion waits until another
organizer confirms it; the one who asked cannot; it lapses after seven days; both names go in
the log. With one organizer the act happens at once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversation.models import Thread
from core.emails.outbox import outbox_drain
from decisions import services as decisions
from decisions.models import Poll
from groups.access import is_member
from groups.confirmations import action_confirm, action_request, action_withdraw
from groups.models import Ban, Group, LogEntry, LogKind, PendingAction, Role
from groups.permissions import organizers_group
from tests.factories import MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def co_organizer(group):
    """Staff in the "Organizers" permission group, as the role makes them."""
    user = UserFactory(is_staff=True)
    user.groups.add(organizers_group())
    MembershipFactory(group=group, user=user, role=Role.CO_ORGANIZER)
    return user


def _ban(group, organizer, member) -> PendingAction | None:
    return action_request(
        group=group,
        kind="member_ban",
        target=member.pk,
        title=f"Ban {member.display_name}",
        by=organizer,
        reason="Harassment",
    )


def _log() -> list[tuple]:
    return list(LogEntry.objects.order_by("pk").values_list("kind", "actor", "confirmed_by"))


def test_a_ban_by_one_organizer_waits_where_there_are_two(group, organizer, co_organizer, member):
    action = _ban(group, organizer, member)
    assert (action.kind, action.target, action.requested_by, action.status) == (
        "member_ban",
        member.pk,
        organizer,
        "waiting",
    )
    assert is_member(member, group) is True
    assert list(Ban.objects.all()) == []
    assert _log() == []


def test_the_organizer_who_asked_cannot_confirm(group, organizer, co_organizer, member):
    action = _ban(group, organizer, member)
    with pytest.raises(ValidationError) as refused:
        action_confirm(action=action, by=organizer)
    assert refused.value.messages == [
        "You asked for this yourself: another organizer has to confirm it."
    ]
    assert is_member(member, group) is True
    assert PendingAction.objects.get().status == "waiting"


def test_a_member_cannot_confirm(group, organizer, co_organizer, member):
    action = _ban(group, organizer, member)
    other = MembershipFactory(group=group, role=Role.MEMBER).user
    with pytest.raises(ValidationError) as refused:
        action_confirm(action=action, by=other)
    assert refused.value.code == "not_organizer"
    assert is_member(member, group) is True


def test_a_second_organizer_confirms_and_the_ban_happens_with_both_names(
    group, organizer, co_organizer, member
):
    action = _ban(group, organizer, member)
    done = action_confirm(action=action, by=co_organizer)
    assert (done.status, done.confirmed_by, done.confirmed_at) == ("done", co_organizer, NOW)
    assert is_member(member, group) is False
    ban = Ban.objects.get()
    assert (ban.user, ban.by, ban.reason) == (member, organizer, "Harassment")
    assert _log() == [(LogKind.MEMBER_BANNED, organizer.pk, co_organizer.pk)]
    with pytest.raises(ValidationError) as again:
        action_confirm(action=action, by=co_organizer)
    assert again.value.code == "done"


def test_a_request_lapses_after_seven_days(group, organizer, co_organizer, member, clock):
    action = _ban(group, organizer, member)
    clock.move_to(NOW + timedelta(days=7))
    with pytest.raises(ValidationError) as lapsed:
        action_confirm(action=action, by=co_organizer)
    assert lapsed.value.code == "lapsed"
    assert is_member(member, group) is True
    assert list(PendingAction.objects.waiting()) == []


def test_confirmed_just_before_it_lapses(group, organizer, co_organizer, member, clock):
    action = _ban(group, organizer, member)
    clock.move_to(NOW + timedelta(days=7) - timedelta(seconds=1))
    action_confirm(action=action, by=co_organizer)
    assert is_member(member, group) is False


def test_with_one_organizer_a_ban_happens_at_once(group, organizer, member):
    assert _ban(group, organizer, member) is None
    assert is_member(member, group) is False
    assert list(PendingAction.objects.all()) == []
    assert _log() == [(LogKind.MEMBER_BANNED, organizer.pk, None)]


def test_asking_twice_keeps_one_request(group, organizer, co_organizer, member):
    first = _ban(group, organizer, member)
    assert _ban(group, organizer, member) == first
    assert PendingAction.objects.count() == 1


def test_a_removal_waits_and_is_confirmed(group, organizer, co_organizer, member):
    action = action_request(
        group=group, kind="member_remove", target=member.pk, title="Remove", by=co_organizer
    )
    assert is_member(member, group) is True
    action_confirm(action=action, by=organizer)
    assert is_member(member, group) is False
    assert _log() == [(LogKind.MEMBER_REMOVED, co_organizer.pk, organizer.pk)]


def test_the_other_organizers_are_alerted(group, organizer, co_organizer, member, settings):
    _ban(group, organizer, member)
    outbox_drain()
    got = sorted((m.to[0], m.subject) for m in mail.outbox)
    subject = f"[{group.name}] Waiting for a second organizer"
    assert got == sorted([(organizer.email, subject), (co_organizer.email, subject)])
    body = next(m.body for m in mail.outbox if m.to == [co_organizer.email])
    assert "asks a second organizer to confirm: Ban " in body
    assert reverse("action_confirm", args=[PendingAction.objects.get().pk]) in body


def test_cancelling_a_poll_waits_for_a_second_organizer(group, organizer, co_organizer):
    poll = decisions.poll_open(
        group=group,
        by=organizer,
        question="Where in June?",
        options=["Library", "Park"],
        method="single",
        opens_at=NOW,
        closes_at=NOW + timedelta(days=3),
        now=NOW,
    )
    action = action_request(
        group=group, kind="poll_cancel", target=poll.pk, title="Cancel", by=organizer
    )
    assert Poll.objects.filter(pk=poll.pk).exists()
    action_confirm(action=action, by=co_organizer)
    assert not Poll.objects.filter(pk=poll.pk).exists()
    assert _log()[-1] == (LogKind.POLL_CANCELLED, organizer.pk, co_organizer.pk)
    assert LogEntry.objects.order_by("pk").last().title == "Where in June?"


def test_deleting_a_discussion_waits_for_a_second_organizer(group, organizer, co_organizer):
    thread = ThreadFactory(group=group, author=UserFactory(), title="Carpools")
    action = action_request(
        group=group, kind="discussion_delete", target=thread.pk, title="Delete", by=organizer
    )
    assert Thread.objects.filter(pk=thread.pk).exists()
    action_confirm(action=action, by=co_organizer)
    assert not Thread.objects.filter(pk=thread.pk, deleted_at__isnull=True).exists()
    assert _log() == [(LogKind.DISCUSSION_DELETED, organizer.pk, co_organizer.pk)]


def test_deleting_the_group_waits_for_a_second_organizer(group, organizer, co_organizer):
    action = action_request(
        group=group, kind="group_delete", target=group.pk, title="Delete the group", by=organizer
    )
    assert Group.objects.filter(pk=group.pk).exists()
    action_confirm(action=action, by=co_organizer)
    assert not Group.objects.filter(pk=group.pk).exists()


# --- The pages ------------------------------------------------------------------------------------


def test_confirm_page_confirms_and_the_asker_sees_it_waits(
    client, group, organizer, co_organizer, member
):
    action = _ban(group, organizer, member)
    url = reverse("action_confirm", args=[action.pk])
    client.force_login(organizer)
    page = client.get(url)
    assert page.status_code == 200
    assert "Waiting for a second organizer" in page.content.decode()
    refused = client.post(url)
    assert refused.status_code == 409
    assert is_member(member, group) is True
    client.force_login(co_organizer)
    assert "Confirm: Ban" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("actions_pending")
    assert is_member(member, group) is False


def test_the_admin_home_lists_what_waits_for_this_organizer(
    client, group, organizer, co_organizer, member
):
    _ban(group, organizer, member)
    client.force_login(co_organizer)
    home = client.get(reverse("admin:index")).content.decode()
    assert '<a href="/actions/">1 act waiting for you to confirm it as second organizer</a>' in home
    client.force_login(organizer)  # who asked is not asked to confirm
    assert "/actions/" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(co_organizer)
    listing = client.get(reverse("actions_pending")).content.decode()
    assert f"Ban {member.display_name}" in listing


# --- Who may open the pages (role × URL × method → status) ----------------------------------------

LOGIN = 302
# asker: the organizer who asked for the ban; second: the co-organizer who may confirm it.
ACCESS = [
    # (url name, method, {role: status})
    (
        "actions_pending",
        "get",
        {"anonymous": LOGIN, "outsider": 404, "member": 404, "asker": 200, "second": 200},
    ),
    (
        "actions_pending",
        "post",
        {"anonymous": LOGIN, "outsider": 405, "member": 405, "asker": 405, "second": 405},
    ),
    (
        "action_confirm",
        "get",
        {"anonymous": LOGIN, "outsider": 404, "member": 404, "asker": 200, "second": 200},
    ),
    (
        "action_confirm",
        "post",
        {"anonymous": LOGIN, "outsider": 404, "member": 404, "asker": 409, "second": 302},
    ),
    (
        "action_confirm",
        "put",
        {"anonymous": LOGIN, "outsider": 405, "member": 405, "asker": 405, "second": 405},
    ),
    (
        "action_withdraw",
        "post",
        {"anonymous": LOGIN, "outsider": 404, "member": 404, "asker": 302, "second": 409},
    ),
    (
        "action_withdraw",
        "get",
        {"anonymous": LOGIN, "outsider": 405, "member": 405, "asker": 405, "second": 405},
    ),
    (
        "action_missing",
        "get",
        {"anonymous": LOGIN, "outsider": 404, "member": 404, "asker": 404, "second": 404},
    ),
]


@pytest.mark.parametrize(("name", "method", "expected"), ACCESS)
def test_confirmation_pages_access(
    client, group, organizer, co_organizer, member, name, method, expected
):
    target = MembershipFactory(group=group, role=Role.MEMBER).user
    action = _ban(group, organizer, target)
    people = {
        "anonymous": None,
        "outsider": UserFactory(),
        "member": member,
        "asker": organizer,
        "second": co_organizer,
    }
    url = {
        "actions_pending": reverse("actions_pending"),
        "action_confirm": reverse("action_confirm", args=[action.pk]),
        "action_withdraw": reverse("action_withdraw", args=[action.pk]),
        "action_missing": reverse("action_confirm", args=[999_999]),
    }[name]
    got = {}
    for role, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url)
        got[role] = response.status_code
        status = PendingAction.objects.get(pk=action.pk).status
        done = status == "done"
        # Only the second organizer's POST does it; every other answer leaves it waiting, but
        # the asker's POST to withdraw it.
        assert done == (role == "second" and method == "post" and name == "action_confirm")
        withdrawn = name == "action_withdraw" and method == "post" and role in ("asker", "second")
        assert (status == "withdrawn") == withdrawn
        assert is_member(target, group) is not done
    assert got == expected


# --- The admin's actions go through it ---------------------------------------------------------


def test_admin_ban_action_waits_for_a_second_organizer(
    client, group, organizer, co_organizer, member
):
    membership = member.memberships.get(group=group)
    client.force_login(organizer)
    data = {
        "action": "ban_members",
        "_selected_action": [membership.pk],
        "apply": "Ban",
        "text": "Threats",
    }
    done = client.post("/admin/groups/membership/", data, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "Waiting for a second organizer: 1 request. Another organizer confirms it from the "
        "admin home."
    ]
    assert is_member(member, group) is True
    action = PendingAction.objects.get()
    assert (action.kind, action.target, action.reason) == ("member_ban", member.pk, "Threats")
    assert action.title == f"Ban {member}"


def test_admin_delete_of_a_membership_waits_for_a_second_organizer(
    client, group, organizer, co_organizer, member
):
    membership = member.memberships.get(group=group)
    client.force_login(organizer)
    url = f"/admin/groups/membership/{membership.pk}/delete/"
    done = client.post(url, {"post": "yes"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "Waiting for a second organizer: 1 request. Another organizer confirms it from the "
        "admin home."
    ]
    assert is_member(member, group) is True
    assert PendingAction.objects.get().kind == "member_remove"


def test_admin_delete_of_a_discussion_waits_for_a_second_organizer(
    client, group, organizer, co_organizer
):
    thread = ThreadFactory(group=group, author=UserFactory(), title="Carpools")
    client.force_login(organizer)
    url = f"/admin/conversation/thread/{thread.pk}/delete/"
    done = client.post(url, {"post": "yes"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "Waiting for a second organizer, who confirms it from the admin home."
    ]
    assert Thread.objects.filter(pk=thread.pk).exists()
    assert PendingAction.objects.get().title == "Delete the discussion “Carpools”"


def test_a_ban_from_a_report_waits_for_a_second_organizer(group, organizer, co_organizer):
    from conversation import services as talk
    from tests.factories import CommentFactory, EventFactory

    author = MembershipFactory(group=group, role=Role.MEMBER).user
    reporter = MembershipFactory(group=group, role=Role.MEMBER).user
    comment = CommentFactory(event=EventFactory(group=group), author=author)
    report = talk.report_file(item=comment, by=reporter, reason="spam")
    talk.report_resolve(report=report, by=organizer, action="ban", note="Spam again")
    assert is_member(author, group) is True
    action = PendingAction.objects.get()
    assert (action.kind, action.target, action.reason) == ("member_ban", author.pk, "Spam again")
    action_confirm(action=action, by=co_organizer)
    assert is_member(author, group) is False
    assert _log()[-1] == (LogKind.MEMBER_BANNED, organizer.pk, co_organizer.pk)


@pytest.mark.parametrize("waiting", [1, 12])
def test_the_pending_page_query_count_does_not_grow(
    client, group, organizer, co_organizer, django_assert_num_queries, waiting
):
    for _ in range(waiting):
        _ban(group, organizer, MembershipFactory(group=group, role=Role.MEMBER).user)
    client.force_login(co_organizer)
    client.get(reverse("actions_pending"))
    # Session, user, group, role; the waiting acts with who asked.
    with django_assert_num_queries(5):
        page = client.get(reverse("actions_pending"))
    assert page.content.decode().count('<li class="card">') == waiting


def test_a_lone_organizer_cancels_a_poll_from_its_page_at_once(client, group, organizer):
    poll = decisions.poll_open(
        group=group,
        by=organizer,
        question="Where in June?",
        options=["Library", "Park"],
        method="single",
        opens_at=NOW,
        closes_at=NOW + timedelta(days=3),
        now=NOW,
    )
    client.force_login(organizer)
    page = client.get(poll.get_absolute_url()).content.decode()
    cancel = reverse("decisions:poll_cancel", args=[poll.pk])
    assert f'action="{cancel}"' in page
    response = client.post(cancel)
    assert response["Location"] == reverse("decisions:polls")
    assert not Poll.objects.filter(pk=poll.pk).exists()
    assert _log()[-1] == (LogKind.POLL_CANCELLED, organizer.pk, None)


def test_only_an_organizer_may_ask(group, organizer, co_organizer, member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _ban(group, member, MembershipFactory(group=group, role=Role.MEMBER).user)
    assert list(PendingAction.objects.all()) == []


# --- Withdrawing a request ---------------------------------------------------------------------


def test_the_organizer_who_asked_withdraws_and_nothing_happens(
    group, organizer, co_organizer, member
):
    action = _ban(group, organizer, member)
    with pytest.raises(ValidationError) as refused:
        action_withdraw(action=action, by=co_organizer)
    assert refused.value.messages == ["Only the organizer who asked can withdraw this."]
    withdrawn = action_withdraw(action=action, by=organizer)
    assert (withdrawn.status, withdrawn.withdrawn_at) == ("withdrawn", NOW)
    with pytest.raises(ValidationError) as refused:
        action_confirm(action=action, by=co_organizer)
    assert refused.value.messages == ["Whoever asked withdrew this request."]
    with pytest.raises(ValidationError):
        action_withdraw(action=action, by=organizer)
    assert is_member(member, group) is True
    assert _log() == [(LogKind.ACTION_WITHDRAWN, organizer.pk, None)]
    assert LogEntry.objects.get().detail == "member_ban"  # the act, not whom it was about
    assert PendingAction.objects.waiting().count() == 0


def test_the_withdraw_button_and_the_log_line(client, group, organizer, co_organizer, member):
    action = _ban(group, organizer, member)
    url = reverse("action_confirm", args=[action.pk])
    client.force_login(co_organizer)
    assert "Withdraw my request" not in client.get(url).content.decode()
    client.force_login(organizer)
    assert "Withdraw my request" in client.get(url).content.decode()
    response = client.post(reverse("action_withdraw", args=[action.pk]))
    assert response["Location"] == reverse("actions_pending")
    assert "Withdrawn by whoever asked: nothing was done." in client.get(url).content.decode()
    client.force_login(member)
    log = " ".join(client.get("/log/").content.decode().split())
    assert f"{organizer.display_name} withdrew a request to a second organizer: ban." in log
    assert member.display_name not in log.split("<main", 1)[1].split("</main>")[0]
