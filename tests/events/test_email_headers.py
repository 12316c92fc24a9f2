"""Every email as a mail client reads it: plain-text subjects and bodies, ASCII List-* headers."""

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test.utils import override_settings
from django.urls import reverse

from core.emails.message import unsubscribe_token
from core.emails.outbox import emails_queue, outbox_drain
from events import services
from events.emails import EventEmail
from tests.factories import EventFactory, GroupFactory, SeriesFactory, UserFactory
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
TITLE = "Workers' Rights & Platforms"
GROUP = "Rosa's Co-op Circle"
SITE = "https://coops.example.org"
MESSAGE_SUBJECT = "We're meeting at Rosa's & Sons"
SERIES = "Rosa's & Friends' Evenings"

SUBJECTS = {
    EventEmail.CONFIRMATION: f"You're going: {TITLE}",
    EventEmail.WAITLISTED: f"You're on the waitlist: {TITLE}",
    EventEmail.PROMOTED: f"A seat opened up: you're going to {TITLE}",
    EventEmail.CHANGED: f"Changed: {TITLE}",
    EventEmail.CANCELLED: f"Cancelled: {TITLE}",
    EventEmail.REMINDER: f"Reminder: {TITLE}",
    EventEmail.ANNOUNCEMENT: f"New event: {TITLE}",
    EventEmail.SERIES_DATE: f"{SERIES}: a new date, {TITLE}",
    EventEmail.MESSAGE: MESSAGE_SUBJECT,
    EventEmail.HOST_CANCELLED: f"Your RSVP changed to not going: {TITLE}",
    EventEmail.NO_SHOW_NOTE: f"We missed you at {GROUP}",
}
EXTRA = {
    EventEmail.CHANGED: {"changes": ["New place: Rosa's & Sons"]},
    EventEmail.MESSAGE: {"subject": MESSAGE_SUBJECT, "body": "Bring tea & mugs.", "sender": "Ana"},
    EventEmail.HOST_CANCELLED: {"by_host": "Ana"},
    EventEmail.NO_SHOW_NOTE: {"missed": 2},
}
# The events app registers these (tests/conversation/test_email_headers.py and
# tests/decisions/test_emails.py read the others).
EVENT_KINDS = list(EventEmail)
# Emails a member can turn off carry the one-click unsubscribe headers; the others do not.
UNSUBSCRIBABLE = {
    EventEmail.ANNOUNCEMENT,
    EventEmail.SERIES_DATE,
    EventEmail.REMINDER,
    EventEmail.MESSAGE,
}


def _raw_headers(raw: bytes) -> dict[bytes, bytes]:
    """Each header line of the serialized message, unfolded (RFC 5322 2.2.3), by lower name."""
    block = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    unfolded = re.sub(rb"\r?\n(?=[ \t])", b"", block)
    lines = unfolded.splitlines()
    return {line.split(b":", 1)[0].lower(): line for line in lines}


def _send_each_kind():
    """One email of each kind, as the worker sends it, to a member going to the event."""
    with time_machine.travel(NOW, tick=False):
        group = GroupFactory(name=GROUP, slug="rosas-circle")
        event = EventFactory(
            group=group,
            title=TITLE,
            summary="Who owns the app & who works it?",
            starts_at=NOW + timedelta(days=1),
            series=SeriesFactory(group=group, name=SERIES),
        )
        user = UserFactory(display_name="Mary O'Neil")
        services.rsvp_set(event=event, member=user, going=True)
        outbox_drain()  # the confirmation that RSVP queued
        messages = {}
        for kind in EVENT_KINDS:
            mail.outbox.clear()
            emails_queue(
                kind=kind, user_ids=[user.pk], params={"event": event.pk, **EXTRA.get(kind, {})}
            )
            outbox_drain()
            [messages[kind]] = mail.outbox
        links = {
            kind: SITE + reverse("email_unsubscribe", args=[unsubscribe_token(user, kind)])
            for kind in UNSUBSCRIBABLE
        }
    return messages, links


@pytest.fixture(scope="module")
def sent_once(django_db_setup, django_db_blocker):
    """The emails sent once for the module: each of the 22 cases only reads them (a message is
    serialized anew by each `message()`), and sending them all cost more than the cases."""
    with override_settings(SITE_URL=SITE):
        yield from built_once(django_db_blocker, _send_each_kind)


@pytest.fixture(autouse=True)
def sent(sent_once, settings):
    settings.SITE_URL = SITE
    return sent_once


def test_every_kind_is_checked():
    assert set(SUBJECTS) == set(EVENT_KINDS)


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP], ids=["file", "smtp"])
@pytest.mark.parametrize("kind", EVENT_KINDS, ids=str)
def test_email_headers_read_by_a_mail_client(sent, kind, policy):
    messages, links = sent
    raw = messages[kind].message(policy=policy).as_bytes()
    headers = _raw_headers(raw)
    subject = SUBJECTS[kind]
    assert headers[b"subject"] == f"Subject: {subject}".encode("ascii")
    assert headers[b"list-id"] == f"List-Id: {GROUP} <rosas-circle.coops.example.org>".encode()
    if kind in UNSUBSCRIBABLE:
        assert headers[b"list-unsubscribe"] == f"List-Unsubscribe: <{links[kind]}>".encode()
        assert (
            headers[b"list-unsubscribe-post"]
            == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
        )
    else:
        assert (b"list-unsubscribe" in headers, b"list-unsubscribe-post" in headers) == (
            False,
            False,
        )
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    if kind in UNSUBSCRIBABLE:
        assert parsed["List-Unsubscribe"] == f"<{links[kind]}>"
    text = parsed.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(preferencelist=("html",)).get_content()
    # Plain text is never HTML-escaped; HTML always is.
    assert ("&#x27;" in text, "&amp;" in text, "&quot;" in text) == (False, False, False)
    if kind == EventEmail.MESSAGE:
        assert text.startswith("Bring tea & mugs.\n")
        assert "Bring tea &amp; mugs." in html
    else:
        assert f"{TITLE}" in text
        assert "Workers&#x27; Rights &amp; Platforms" in html
        assert TITLE not in html
    assert f"{GROUP} · {SITE}" in text
