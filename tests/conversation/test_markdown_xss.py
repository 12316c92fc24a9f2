"""No script survives what members write in conversations: comments, discussions, replies and
announcements (Markdown), discussion titles and announcement subjects (plain text), on every
page that shows them and in every email that quotes them.

The group, its people, their signed-in sessions and the event are built once for the module
(tests/worlds.py); each payload still writes everything anew, in its own savepoint, and opens
every page and reads every email of its own writes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from conversation import services
from conversation.models import Follow
from tests.events.test_markdown_xss import MARKDOWN_FORBIDDEN, PAGE_FORBIDDEN, PAYLOADS, Inspector
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.markdown_checks import out_of_step
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db


def _problems(html: str, forbidden=PAGE_FORBIDDEN) -> list[str]:
    inspector = Inspector(forbidden)
    inspector.feed(html)
    return inspector.problems


def _scripts(html: str) -> int:
    """Script elements other than our JSON-LD data blocks and our own script files."""
    own = html.count(f'<script src="{settings.STATIC_URL}')
    return html.lower().count("<script") - html.count('<script type="application/ld+json">') - own


def _build():
    group = GroupFactory()
    people = {
        "member": MembershipFactory(group=group).user,
        "other": MembershipFactory(group=group).user,
        "organizer": organizer_for(group),
        "digester": MembershipFactory(group=group, user=UserFactory(discussion_digest=True)).user,
    }
    event = EventFactory(group=group, comments_public=True)
    return {"group": group, "people": people, "event": event, "sessions": _sessions(people)}


def _sessions(people) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys({role: people[role] for role in ("member", "other")})


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def rows(built, db):
    return fresh_copy(built)


def _write_everything(group, people, event, payload, commit) -> dict:
    """The payload in every field, written through the services: added, and edited in (an
    item first written as plain words); the emails they send go out as after a commit."""
    member, other, organizer = people["member"], people["other"], people["organizer"]
    comment = services.comment_add(event=event, author=member, body=payload)
    comment_edited = services.comment_add(event=event, author=member, body="Plain words")
    services.comment_edit(comment=comment_edited, by=member, body=payload)
    answer = services.comment_add(event=event, author=other, body=payload, parent=comment)
    thread = services.thread_start(group=group, author=member, title=payload, body=payload)
    thread_edited = services.thread_start(group=group, author=member, title="Plain", body="Plain")
    services.thread_edit(thread=thread_edited, by=member, title=payload, body=payload)
    services.thread_follow(thread=thread, member=people["digester"])
    Follow.objects.filter(member=people["digester"]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    mail.outbox.clear()
    with commit():  # member follows the discussion they started: a reply email
        reply = services.thread_reply(thread=thread, author=other, body=payload)
    reply_emails = list(mail.outbox)
    with commit():  # its own emails leave with it, not with the announcement's commit below
        reply_edited = services.thread_reply(thread=thread, author=other, body="Plain words")
    services.reply_edit(reply=reply_edited, by=other, body=payload)
    mail.outbox.clear()
    with commit():
        announcement = services.announcement_send(
            group=group, by=organizer, subject=payload, body=payload
        )
    group_post_emails = list(mail.outbox)
    mail.outbox.clear()
    with commit():
        assert services.digests_send(now=timezone.now() + timedelta(minutes=1)) == 1
    digest_emails = list(mail.outbox)
    return {
        "event": event,
        "comment": comment,
        "comment_edited": comment_edited,
        "answer": answer,
        "thread": thread,
        "thread_edited": thread_edited,
        "reply": reply,
        "reply_edited": reply_edited,
        "announcement": announcement,
        "emails": {
            "reply": reply_emails,
            "group_post": group_post_emails,
            "digest": digest_emails,
        },
    }


def _pages(w) -> list[tuple[str | None, str, list[str], list[str]]]:
    """(who looks, URL, the stored HTML of the Markdown it shows, the plain texts it shows)."""
    event, comment, edited, answer = w["event"], w["comment"], w["comment_edited"], w["answer"]
    thread, thread_edited = w["thread"], w["thread_edited"]
    reply, reply_edited = w["reply"], w["reply_edited"]
    news = w["announcement"]
    comments = [comment.body_html, edited.body_html, answer.body_html]

    def url(name, *objects):
        return reverse(
            f"conversation:{name}",
            args=[event.slug if o is event else getattr(o, "pk", o) for o in objects],
        )

    # fmt: off
    return [
        (None,     event.get_absolute_url(),                       comments, []),
        ("other",  event.get_absolute_url(),                       comments, []),
        (None,     url("comments", event),                         comments, []),
        ("other",  url("comments", event),                         comments, []),
        ("other",  url("comment", event, comment),                 [comments[0], comments[2]], []),
        ("other",  url("comment", event, edited),                  [comments[1]], []),
        ("other",  url("comment", event, answer),                  [comments[2]], []),
        ("member", url("comment_edit", event, comment),            [], []),
        ("member", url("comment_delete", event, comment),          [comments[0]], []),
        ("member", url("comment_delete", event, edited),           [comments[1]], []),
        ("other",  url("comment_delete", event, answer),           [comments[2]], []),
        ("other",  url("comment_report", event, comment),          [comments[0]], []),
        ("other",  url("comment_report", event, edited),           [comments[1]], []),
        ("member", url("comment_report", event, answer),           [comments[2]], []),
        ("other",  url("board"),                                   [], [thread.title,
                                                                        thread_edited.title]),
        ("other",  url("thread", thread),                          [thread.body_html,
                                                                    reply.body_html,
                                                                    reply_edited.body_html],
                                                                   [thread.title]),
        ("other",  url("thread", thread_edited),                   [thread_edited.body_html],
                                                                   [thread_edited.title]),
        ("member", url("thread_edit", thread_edited),              [], [thread_edited.title]),
        ("member", url("thread_delete", thread),                   [thread.body_html], []),
        ("member", url("thread_delete", thread_edited),            [thread_edited.body_html], []),
        ("other",  url("thread_report", thread),                   [thread.body_html], []),
        ("other",  url("thread_report", thread_edited),            [thread_edited.body_html], []),
        ("other",  url("reply_edit", thread, reply_edited),        [], []),
        ("other",  url("reply_delete", thread, reply),             [reply.body_html], []),
        ("other",  url("reply_delete", thread, reply_edited),      [reply_edited.body_html], []),
        ("member", url("reply_report", thread, reply),             [reply.body_html], []),
        ("member", url("reply_report", thread, reply_edited),      [reply_edited.body_html], []),
        ("member", url("announcements"),                           [], [news.subject]),
        ("member", url("announcement", news),                      [news.body_html],
                                                                   [news.subject]),
    ]
    # fmt: on


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_conversation_field_is_sanitized_on_every_page_and_email(rows, payload, commit):
    people = rows["people"]
    w = _write_everything(rows["group"], people, rows["event"], payload, commit)
    items = ["comment", "comment_edited", "answer", "thread", "thread_edited", "reply"]
    items += ["reply_edited", "announcement"]
    # What each writer stored is the sanitized rendering of the payload, edits included.
    assert out_of_step(*(w[name] for name in items)) == []
    assert [_problems(w[name].body_html, MARKDOWN_FORBIDDEN) for name in items] == [[]] * 8
    clients = {None: Client()}
    for role in ("member", "other"):
        clients[role] = Client()
        clients[role].cookies[settings.SESSION_COOKIE_NAME] = rows["sessions"][role]
    found = {}
    for role, url, stored, texts in _pages(w):
        response = clients[role].get(url)
        html = response.content.decode()
        missing = [part for part in stored if part not in html]
        unescaped = [text for text in texts if escape(text) not in html]
        outcome = (response.status_code, _problems(html), _scripts(html), missing, unescaped)
        if outcome != (200, [], 0, [], []):
            found[f"{role} {url}"] = outcome
    assert found == {}

    # The emails the same writes sent.
    reply, announcement, thread = w["reply"], w["announcement"], w["thread"]
    emails = w["emails"]
    assert [[m.to for m in emails[kind]] for kind in ("reply", "digest")] == [
        [[people["member"].email]],
        [[people["digester"].email]],
    ]
    assert len(emails["group_post"]) == 4  # member, other, organizer, digester
    shown = {
        "reply": ([reply.body_html], [thread.title]),
        "group_post": ([announcement.body_html], [announcement.subject]),
        # The digest quotes the replies' text (escaped, shortened), not their HTML.
        "digest": ([], [thread.title]),
    }
    for kind, (stored, texts) in shown.items():
        for message in emails[kind]:
            [(html, mimetype)] = message.alternatives
            assert mimetype == "text/html"
            missing = [part for part in stored if part not in html]
            unescaped = [text for text in texts if escape(text) not in html]
            outcome = (_problems(html), _scripts(html), missing, unescaped)
            if outcome != ([], 0, [], []):
                found[f"{kind} to {message.to}"] = outcome
    assert found == {}
