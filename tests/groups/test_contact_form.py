"""The "want to step up?" form refuses what would break the email, and keeps what was typed."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Rosa", "email": "rosa@example.org", "message": "I can host.\nIn March."}


@pytest.mark.parametrize(
    "name",
    [
        "Rosa\nBcc: someone@example.org",
        "Rosa\rLuxemburg",
        "Rosa\r\nLuxemburg",
        "Rosa\x0bLuxemburg",
        "Rosa\x0cLuxemburg",
        "Rosa\x85Luxemburg",
        "Rosa\u2028Luxemburg",
        "Rosa\u2029Luxemburg",
        "Rosa\x1bLuxemburg",
        "Rosa\tLuxemburg",
    ],
    ids=repr,
)
def test_contact_form_refuses_line_breaks_in_the_name(
    client, group, organizer, name, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post("/contact/", {**CONTACT, "name": name})
    assert response.status_code == 400
    form = response.context["contact_form"]
    assert form.errors == {"name": ["Please write this on one line, without line breaks."]}
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert "Please write this on one line, without line breaks." in html
    assert (queued, mail.outbox) == ([], [])
    # Nothing typed is lost: the page shows the message and the address again.
    assert (form["email"].value(), form["message"].value()) == (
        CONTACT["email"],
        CONTACT["message"],
    )
    assert 'value="rosa@example.org"' in html
    assert re.search(r"<textarea [^>]*>\s*I can host.\r?\nIn March.</textarea>", html)


def test_contact_form_message_may_have_line_breaks(
    client, group, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", CONTACT)
    assert response.status_code == 302
    [message] = mail.outbox
    assert "I can host.\nIn March." in message.body
    assert message.subject == f"[{group.name}] A message from Rosa"
