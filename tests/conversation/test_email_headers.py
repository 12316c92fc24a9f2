"""The conversation emails as a mail client reads them: plain-text subjects and bodies, the
group's List-Id, and the one-click unsubscribe on the emails a member can turn off."""

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.test.utils import override_settings
from django.urls import reverse

from conversation import services
from conversation.emails import ConversationEmail
from conversation.models import ReportAction
from core.emails.kinds import kinds
from core.emails.message import unsubscribe_token
from tests.events.test_email_headers import _raw_headers
from tests.factories import EventFactory, GroupFactory, MembershipFactory, UserFactory
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
GROUP = "Rosa's Co-op Circle"
SITE = "https://coops.example.org"
TITLE = "Workers' Rights & Platforms"
BODY = "Bring tea & mugs, it's Rosa's turn."

SUBJECTS = {
    ConversationEmail.GROUP_POST: f"{GROUP}: {TITLE}",
    ConversationEmail.REPLY: f"New reply: {TITLE}",
    ConversationEmail.DIGEST: f"{GROUP}: today in the discussions you follow",
    ConversationEmail.WARNING: f"A note from the organizers of {GROUP}",
}


def _send_each_kind():
    """One email of each conversation kind, as the worker sends it, to Mary."""
    messages, links = {}, {}
    with time_machine.travel(NOW, tick=False):
        group = GroupFactory(name=GROUP, slug="rosas-circle")
        organizer = MembershipFactory(group=group, role="organizer").user
        mary = MembershipFactory(group=group, user__display_name="Mary O'Neil").user
        mary.discussion_digest = False
        mary.save()
        ana = MembershipFactory(group=group, user__display_name="Ana").user
        thread = services.thread_start(group=group, author=mary, title=TITLE, body="Hello")

        def one(kind, action):
            mail.outbox.clear()
            with TestCase.captureOnCommitCallbacks(execute=True):
                action()
            [messages[kind]] = [m for m in mail.outbox if m.to == [mary.email]]
            if kinds.get(kind).preference:  # signed now, as the worker signed it
                token = unsubscribe_token(mary, kind)
                links[kind] = SITE + reverse("email_unsubscribe", args=[token])

        one(
            ConversationEmail.REPLY,
            lambda: services.thread_reply(thread=thread, author=ana, body=BODY),
        )
        one(
            ConversationEmail.GROUP_POST,
            lambda: services.announcement_send(group=group, by=organizer, subject=TITLE, body=BODY),
        )
        comment = services.comment_add(
            event=EventFactory(group=group, starts_at=NOW + timedelta(days=2)),
            author=mary,
            body="Something rude",
        )
        report = services.report_file(item=comment, by=ana, reason="disrespectful")
        one(
            ConversationEmail.WARNING,
            lambda: services.report_resolve(
                report=report, by=organizer, action=ReportAction.WARN, note=BODY
            ),
        )
        mary.discussion_digest = True
        mary.save()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        services.thread_reply(thread=thread, author=ana, body=BODY)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        one(ConversationEmail.DIGEST, services.digests_send)
    return messages, links


@pytest.fixture(scope="module")
def sent_once(django_db_setup, django_db_blocker):
    """The emails sent once for the module: its cases only read them (a message is serialized
    anew by each `message()`), and the one that unsubscribes does so in its own savepoint."""
    with override_settings(SITE_URL=SITE):
        yield from built_once(django_db_blocker, _send_each_kind)


@pytest.fixture(autouse=True)
def sent(sent_once, settings):
    settings.SITE_URL = SITE
    return sent_once


def test_every_conversation_kind_is_checked():
    assert set(SUBJECTS) == set(ConversationEmail)


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP], ids=["file", "smtp"])
@pytest.mark.parametrize("kind", sorted(ConversationEmail), ids=str)
def test_conversation_email_read_by_a_mail_client(sent, kind, policy):
    messages, links = sent
    raw = messages[kind].message(policy=policy).as_bytes()
    headers = _raw_headers(raw)
    assert headers[b"subject"] == f"Subject: {SUBJECTS[kind]}".encode("ascii")
    assert headers[b"list-id"] == f"List-Id: {GROUP} <rosas-circle.coops.example.org>".encode()
    unsubscribable = kind != ConversationEmail.WARNING
    assert (kind in links) == unsubscribable
    if unsubscribable:
        assert headers[b"list-unsubscribe"] == f"List-Unsubscribe: <{links[kind]}>".encode()
        assert (
            headers[b"list-unsubscribe-post"]
            == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
        )
    else:
        assert b"list-unsubscribe" not in headers
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == SUBJECTS[kind]
    text = parsed.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(preferencelist=("html",)).get_content()
    # Plain text is never HTML-escaped; HTML always is.
    assert ("&#x27;" in text, "&amp;" in text, "&quot;" in text) == (False, False, False)
    assert BODY in text
    assert BODY not in html
    # Escaped by the template, or rendered and sanitized Markdown (announcements, replies).
    assert "Bring tea &amp; mugs, it" in html
    assert f"{GROUP} · {SITE}" in text


def test_warning_names_neither_reporter_nor_their_address(sent):
    messages, _links = sent
    warning = messages[ConversationEmail.WARNING]
    whole = warning.body + "".join(str(content) for content, _type in warning.alternatives)
    assert ("Ana" in whole, "@example.org" in whole.replace(warning.to[0], "")) == (False, False)


def test_unsubscribe_link_turns_off_that_kind_only(client, sent):
    _messages, links = sent
    with time_machine.travel(NOW + timedelta(days=1)):  # the link works for half a year
        response = client.post(links[ConversationEmail.REPLY], {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    mary = UserFactory._meta.model.objects.get(display_name="Mary O'Neil")
    assert (mary.notify_discussions, mary.notify_announcements) == (False, True)
