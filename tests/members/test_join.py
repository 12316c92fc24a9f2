"""Joining in one step: signing up and typing the emailed code makes you a member."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase

from events.models import RSVP
from groups.models import Membership
from tests.factories import PASSWORD, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sign_up(client, email="ada@example.org", next_url=None):
    url = "/accounts/signup/" + (f"?next={next_url}" if next_url else "")
    data = {"display_name": "Ada", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    if next_url:
        data["next"] = next_url
    # What the request queued for after its commit runs, as it would: the code's email leaves.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def _code(message) -> str:
    return re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)


def test_join_from_home_page_makes_a_member_after_the_code(
    client, group, django_capture_on_commit_callbacks
):
    response = _sign_up(client)
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    user = get_user_model().objects.get(email="ada@example.org")
    assert not Membership.objects.filter(user=user).exists()

    [verification] = mail.outbox
    assert verification.to == ["ada@example.org"]
    assert verification.subject == "Confirm your email to join Platform Cooperatives NYC"
    assert "Hello from" not in verification.body
    assert "Platform Cooperatives NYC" in verification.body
    assert "The code works for 15 minutes." in verification.body
    [(html, mimetype)] = verification.alternatives
    assert mimetype == "text/html"
    assert _code(verification) in html

    page = client.get("/accounts/confirm-email/")
    assert page.status_code == 200
    assert "Join Platform Cooperatives NYC" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/confirm-email/", {"code": _code(verification)})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert EmailAddress.objects.get(email="ada@example.org").verified is True
    assert list(Membership.objects.filter(user=user).values_list("group", "role")) == [
        (group.pk, "member")
    ]
    assert client.session["_auth_user_id"] == str(user.pk)

    welcome = mail.outbox[-1]
    assert (welcome.to, welcome.subject) == (
        ["ada@example.org"],
        "Welcome to Platform Cooperatives NYC",
    )
    assert "Hi Ada, you're a member of Platform Cooperatives NYC now." in welcome.body
    assert "http://127.0.0.1:8000/events/" in welcome.body

    home = client.get("/").content.decode()
    assert "Join the group" not in home


def test_join_from_an_event_returns_to_the_event(client, group, django_capture_on_commit_callbacks):
    event = EventFactory(group=group)
    event_url = event.get_absolute_url()
    back = f"{event_url}?rsvp=yes"  # the choice made: "I'm going", confirmed on return
    page = client.get(event_url).content.decode()
    signup = f"/accounts/signup/?next={event_url}%3Frsvp%3Dyes"
    assert f'<a href="{signup}">or join the group</a>' in page

    response = _sign_up(client, next_url=back)
    assert response.status_code == 302
    code = _code(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/confirm-email/", {"code": code})
    assert (response.status_code, response["Location"]) == (302, back)
    user = get_user_model().objects.get(email="ada@example.org")
    assert Membership.objects.filter(user=user, group=group).exists()
    returned = client.get(back).content.decode()
    assert "Welcome back! Confirm that you're going." in returned
    assert 'name="going" value="yes"' in returned
    assert not RSVP.objects.filter(event=event).exists()  # a GET answers nothing


def test_a_wrong_code_joins_nobody(client, group):
    _sign_up(client)
    response = client.post("/accounts/confirm-email/", {"code": "WRONG1"})
    assert response.status_code == 200
    assert response.context["verify_form"].errors == {"code": ["Incorrect code."]}
    assert not Membership.objects.exists()
    assert EmailAddress.objects.get(email="ada@example.org").verified is False


def test_a_visit_to_a_link_in_the_email_verifies_nothing(client, group):
    """What a link-scanning mail filter does: open every link in the message."""
    _sign_up(client)
    scanner = client.__class__()
    for url in re.findall(r"https?://\S+", mail.outbox[0].body):
        scanner.get(url.replace("http://127.0.0.1:8000", ""))
    assert EmailAddress.objects.get(email="ada@example.org").verified is False
    assert not Membership.objects.exists()


def test_verifying_a_changed_address_does_not_rejoin(
    client, group, django_capture_on_commit_callbacks
):
    """Someone who left and later changes their address stays out of the group."""
    user = UserFactory(email="old@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"email": "new@example.org", "action_add": ""})
    code = _code(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/confirm-email/", {"code": code})
    assert EmailAddress.objects.get(email="new@example.org").verified is True
    assert not Membership.objects.filter(user=user).exists()
