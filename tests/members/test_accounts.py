import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 42"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a request queued for after its commit (allauth's emails leave the outbox)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _code(message) -> str:
    return re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_signup_verification_and_login(client, group, commit):
    with commit():
        response = client.post(
            "/accounts/signup/",
            {
                "display_name": "Ada",
                "email": "ada@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email="ada@example.org")
    assert user.display_name == "Ada"
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]

    # Not verified yet, and the tab closed: logging in again right away is refused (allauth
    # sends at most one code per address every 3 minutes) ...
    client.logout()
    credentials = {"login": "ada@example.org", "password": PASSWORD}
    response = client.post("/accounts/login/", credentials)
    assert response.context["form"].non_field_errors() == [
        "Too many failed login attempts. Try again later."
    ]
    # ... and later it leads to the code page, with a new code.
    with time_machine.travel(timezone.now() + timedelta(minutes=4)), commit():
        response = client.post("/accounts/login/", credentials)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 2

    response = client.post("/accounts/confirm-email/", {"code": _code(mail.outbox[-1])})
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.org").verified is True
    assert client.session["_auth_user_id"] == str(user.pk)

    client.logout()
    response = client.post("/accounts/login/", credentials)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_requires_display_name(client, group):
    response = client.post(
        "/accounts/signup/",
        {"email": "nameless@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"] == ["This field is required."]
    assert not get_user_model().objects.filter(email="nameless@example.org").exists()


def test_password_reset_by_email(client, group, commit):
    user = UserFactory(email="grace@example.org")
    with commit():
        response = client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset_url = _link(mail.outbox[0])
    response = client.get(reset_url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_responses_identical_for_known_and_unknown_email(client, group, commit):
    UserFactory(email="known@example.org")
    with commit():
        known = client.post("/accounts/password/reset/", {"email": "known@example.org"})
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    done_known = client.get(known["Location"]).content
    done_unknown = client.get(unknown["Location"]).content
    assert done_known == done_unknown
    # Both addresses get a message, so the response reveals nothing.
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "nobody@example.org"]


def test_failed_logins_are_rate_limited(client, group):
    UserFactory(email="target@example.org")
    errors = []
    for _ in range(6):
        response = client.post(
            "/accounts/login/", {"login": "target@example.org", "password": "wrong"}
        )
        errors.append(response.context["form"].non_field_errors())
    wrong = ["The email address and/or password you specified are not correct."]
    assert errors[:5] == [wrong] * 5
    assert errors[5] == ["Too many failed login attempts. Try again later."]
    # Even the right password is refused while the limit holds.
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )
    assert response.context["form"].non_field_errors() == errors[5]
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_allauth(client, group):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_refuses_logged_in_non_staff(client, member):
    client.force_login(member)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
