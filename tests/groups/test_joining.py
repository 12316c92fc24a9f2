"""Joining an open group or asking to join one that approves: services, pages, admin, emails."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services as event_services
from groups.access import is_member
from groups.models import (
    JoinQuestion,
    Membership,
    MembershipAction,
    MembershipStatus,
    Role,
)
from groups.services import (
    membership_approve,
    membership_decline,
    membership_request,
)
from home.queries import group_counts
from members.services import member_delete, member_export, member_join_on_verification
from photos.models import Album
from tests.factories import PASSWORD, EventFactory, MembershipFactory, UserFactory
from tests.twofactor import give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def approval(group):
    group.join_needs_approval = True
    group.save()
    return group


@pytest.fixture
def questions(group):
    why = JoinQuestion.objects.create(group=group, text="Why do you want to join?", order=0)
    where = JoinQuestion.objects.create(
        group=group, text="Where did you hear of us?", required=False, order=1
    )
    return why, where


def test_request_open_group_makes_a_member(group):
    user = UserFactory()
    membership = membership_request(group=group, user=user, answers={})
    assert (membership.status, membership.role, membership.answers) == ("active", "member", [])
    assert is_member(user, group) is True


def test_request_approval_group_waits_and_is_no_member(approval):
    user = UserFactory()
    membership = membership_request(group=approval, user=user, answers={})
    assert membership.status == MembershipStatus.PENDING
    assert is_member(user, approval) is False
    assert membership_request(group=approval, user=user, answers={}) == membership


def test_request_keeps_answers_in_question_order(group, questions):
    why, where = questions
    membership = membership_request(
        group=group, user=UserFactory(), answers={where.pk: " A friend ", why.pk: "Co-ops!"}
    )
    assert membership.answers == [
        {"question": "Why do you want to join?", "answer": "Co-ops!"},
        {"question": "Where did you hear of us?", "answer": "A friend"},
    ]


def test_request_without_required_answer_is_refused(group, questions):
    user = UserFactory()
    with pytest.raises(ValidationError) as refused:
        membership_request(group=group, user=user, answers={questions[1].pk: "web"})
    assert refused.value.messages == ["Please answer “Why do you want to join?”."]
    assert list(Membership.objects.filter(user=user)) == []


def test_pending_is_invisible_everywhere(client, approval, member):
    waiting = UserFactory(display_name="Wanda Waiting")
    membership_request(group=approval, user=waiting, answers={})
    assert group_counts(approval)["members"] == 1
    client.force_login(member)
    assert "Wanda Waiting" not in client.get("/members/").content.decode()
    assert client.get(f"/members/{waiting.pk}/").status_code == 404
    client.force_login(waiting)
    assert client.get("/members/").status_code == 403
    Album.objects.create(group=approval, title="Ours", visibility="members")
    assert list(Album.objects.visible_to(waiting).values_list("title", flat=True)) == []
    assert list(Album.objects.visible_to(member).values_list("title", flat=True)) == ["Ours"]


def test_pending_cannot_rsvp_nor_join_by_rsvp(approval):
    event = EventFactory(group=approval, starts_at=timezone.now() + timedelta(days=2))
    waiting, stranger = UserFactory(), UserFactory()
    membership_request(group=approval, user=waiting, answers={})
    for person, code in ((waiting, "join_pending"), (stranger, "join_first")):
        with pytest.raises(ValidationError) as refused:
            event_services.rsvp_set(event=event, member=person, going=True)
        assert refused.value.code == code
    assert list(Membership.objects.filter(user=stranger)) == []


def test_open_group_rsvp_still_joins(group):
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=2))
    stranger = UserFactory()
    event_services.rsvp_set(event=event, member=stranger, going=True)
    assert is_member(stranger, group) is True


def test_approve_makes_a_member_logs_and_emails(approval, organizer, on_commit):
    waiting = UserFactory(display_name="Ada")
    pending = membership_request(group=approval, user=waiting, answers={})
    with on_commit(execute=True):
        membership = membership_approve(
            membership=pending, by=organizer, message="See you Tuesday!"
        )
    assert membership.status == MembershipStatus.ACTIVE
    assert is_member(waiting, approval) is True
    # The organizers heard of the request (tests/groups/test_organizer_alerts.py).
    [email] = [message for message in mail.outbox if message.to != [organizer.email]]
    assert (email.to, email.subject) == (
        [waiting.email],
        "[Platform Cooperatives NYC] You're a member now",
    )
    assert "approved your request to join: you're a member now." in email.body
    assert "See you Tuesday!" in email.body
    assert list(MembershipAction.objects.values_list("action", "member", "by", "reason")) == [
        ("approved", waiting.pk, organizer.pk, "See you Tuesday!")
    ]
    with pytest.raises(ValidationError) as twice:
        membership_approve(membership=pending, by=organizer)
    assert twice.value.code == "not_pending"


def test_decline_deletes_the_request_emails_and_they_may_ask_again(approval, organizer, on_commit):
    waiting = UserFactory()
    pending = membership_request(group=approval, user=waiting, answers={})
    with on_commit(execute=True):
        membership_decline(membership=pending, by=organizer, message="Locals only, sorry.")
    assert list(Membership.objects.filter(user=waiting)) == []
    [email] = mail.outbox
    assert email.subject == "[Platform Cooperatives NYC] About your request to join"
    assert "did not approve your request to join this time." in email.body
    assert "Locals only, sorry." in email.body
    assert list(MembershipAction.objects.values_list("action", "reason")) == [
        ("declined", "Locals only, sorry.")
    ]
    again = membership_request(group=approval, user=waiting, answers={})
    assert again.status == MembershipStatus.PENDING


def test_join_page_asks_the_questions_and_keeps_the_answers(client, approval, questions):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/join/").content.decode()
    assert "Why do you want to join?" in page
    assert "Ask to join" in page
    refused = client.post("/join/", {f"answer_{questions[1].pk}": "web"})
    assert refused.status_code == 400
    response = client.post("/join/", {f"answer_{questions[0].pk}": "To learn", "next": "/events/"})
    assert (response.status_code, response["Location"]) == (302, "/events/")
    membership = Membership.objects.get(user=user)
    assert (membership.status, membership.answers) == (
        "pending",
        [
            {"question": "Why do you want to join?", "answer": "To learn"},
            {"question": "Where did you hear of us?", "answer": ""},
        ],
    )
    waiting = client.get("/join/").content.decode()
    assert "Your request to join is waiting for an organizer." in waiting
    home = client.get("/").content.decode()
    assert "Your request to join is waiting for an organizer." in home
    assert "Join the group" not in home


def test_join_page_open_group_without_questions(client, group):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/join/", {"next": "https://evil.example/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert Membership.objects.get(user=user).status == "active"
    assert client.get("/join/").status_code == 302


def test_home_counts_join_requests_for_organizers_only(client, approval, organizer, member):
    for _ in range(2):
        membership_request(group=approval, user=UserFactory(), answers={})
    client.force_login(organizer)
    page = client.get("/").content.decode()
    assert (
        '<a href="/admin/groups/membership/?status__exact=pending">2 join requests waiting</a>'
        in page
    )
    client.force_login(member)
    assert "join requests waiting" not in client.get("/").content.decode()


def test_admin_shows_and_counts_pending(client, approval, organizer):
    membership_request(group=approval, user=UserFactory(display_name="Wanda"), answers={})
    client.force_login(organizer)
    index = client.get("/admin/").content.decode()
    assert "1 join request waiting" in index
    listing = client.get("/admin/groups/membership/?status__exact=pending")
    assert [str(m) for m in listing.context["cl"].result_list] == ["Wanda · Waiting for approval"]
    assert "Waiting for approval (1)" in listing.content.decode()


def test_admin_approve_action_with_message(client, approval, organizer, on_commit):
    waiting = UserFactory()
    pending = membership_request(group=approval, user=waiting, answers={})
    client.force_login(organizer)
    data = {"action": "approve_requests", "_selected_action": [pending.pk]}
    page = client.post("/admin/groups/membership/", data)
    assert page.status_code == 200
    assert "Approve these requests to join" in page.content.decode()
    with on_commit(execute=True):
        done = client.post(
            "/admin/groups/membership/", {**data, "apply": "Approve", "text": "Welcome aboard"}
        )
    assert done.status_code == 302
    assert Membership.objects.get(pk=pending.pk).status == "active"
    assert "Welcome aboard" in mail.outbox[-1].body


def test_co_organizer_may_decline_in_the_admin(client, approval):
    co = UserFactory()
    MembershipFactory(group=approval, user=co, role=Role.CO_ORGANIZER)
    from groups.services import _sync_organizer_status

    _sync_organizer_status(co)
    give_totp(co)  # the admin opens only with a second factor
    pending = membership_request(group=approval, user=UserFactory(), answers={})
    client.force_login(co)
    data = {"action": "decline_requests", "_selected_action": [pending.pk], "apply": "Decline"}
    assert client.post("/admin/groups/membership/", data).status_code == 302
    assert list(Membership.objects.filter(pk=pending.pk)) == []


def test_verification_asks_to_join_or_leaves_it_to_the_join_page(approval, questions):
    assert member_join_on_verification(user=UserFactory()) is None  # questions: the join page
    JoinQuestion.objects.all().delete()
    assert member_join_on_verification(user=UserFactory()).status == "pending"
    assert mail.outbox == []  # no welcome before an organizer approves


def test_sign_up_with_questions_lands_on_the_join_page(
    client, group, questions, django_capture_on_commit_callbacks
):
    data = {
        "display_name": "Ada",
        "email": "ada@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "next": "/events/",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/?next=/events/", data)
    code = re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M).group(1)
    response = client.post("/accounts/confirm-email/", {"code": code})
    assert (response.status_code, response["Location"]) == (302, "/join/?next=%2Fevents%2F")
    assert list(Membership.objects.filter(user__email="ada@example.org")) == []


def test_answers_in_export_and_gone_with_the_account(group, questions):
    user = UserFactory()
    membership_request(group=group, user=user, answers={questions[0].pk: "ANSWER-42"})
    data = json.loads(zipfile.ZipFile(io.BytesIO(member_export(member=user))).read("data.json"))
    assert data["memberships"] == [
        {
            "group": "Platform Cooperatives NYC",
            "role": "member",
            "status": "active",
            "joined_at": data["memberships"][0]["joined_at"],
            "answers": [
                {"question": "Why do you want to join?", "answer": "ANSWER-42"},
                {"question": "Where did you hear of us?", "answer": ""},
            ],
        }
    ]
    member_delete(member=user)
    assert list(Membership.objects.values_list("answers", flat=True)) == []


def test_join_page_queries_do_not_grow_with_questions_or_members(client, group):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = UserFactory()
    client.force_login(person)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/join/").status_code == 200
        return len(captured)

    JoinQuestion.objects.create(group=group, text="Why do you want to join?", order=0)
    MembershipFactory.create_batch(3, group=group)
    small = queries()
    for order in range(1, 5):
        JoinQuestion.objects.create(group=group, text=f"Question {order}?", order=order)
    MembershipFactory.create_batch(40, group=group)
    assert queries() == small
    # session, user, group with the page generation, the membership, the ban check, questions
    assert small == 6
