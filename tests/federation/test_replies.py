"""Replies from the fediverse: a signed Create of a Note replying to an event waits for an
organizer, is shown among the comments once approved, goes when its author deletes it;
nothing is kept while the group does not take replies, nor from anyone but the signer."""

import json
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import BlockedDomain, RemoteActor, RemoteReply, ReplyState
from tests.factories import EventFactory

from .peer import PeerActor

SERVER = "http://testserver"


@dataclass
class NamedPeer(PeerActor):
    """The test actor with a display name and a profile page, as Mastodon's accounts have."""

    def document(self) -> dict:
        return {**super().document(), "name": "Alice Remote", "url": f"{self.base}/@alice"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SERVER


@pytest.fixture
def peer(settings):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = True
    found = NamedPeer(host="127.0.0.81").start()
    yield found
    found.stop()


@pytest.fixture
def replying(actor):
    actor.replies = True
    actor.save(update_fields=["replies"])
    return actor


@pytest.fixture
def event(actor):
    return EventFactory(group=actor.group)


def _note(peer, event, *, number=1, content="<p>Is there parking?</p>", target=None):
    return {
        "id": f"{peer.id}/statuses/{number}",
        "type": "Note",
        "attributedTo": peer.id,
        "inReplyTo": target or f"{SERVER}/federation/{event.group.slug}/events/{event.pk}",
        "content": content,
        "published": "2026-01-02T10:00:00Z",
    }


def _send(client, peer, activity, path="/inbox"):
    body, headers = peer.signed_post(SERVER + path, activity)
    content_type = headers.pop("Content-Type")
    response = client.post(path, data=body, content_type=content_type, headers=headers)
    return response.status_code, json.loads(response.content)


def _create(peer, note):
    return {"id": note["id"] + "/activity", "type": "Create", "actor": peer.id, "object": note}


def _approve(client, organizer, reply):
    client.force_login(organizer)
    response = client.post(
        "/admin/federation/remotereply/",
        {"action": "approve", "_selected_action": [reply.pk]},
        follow=True,
    )
    assert "1 reply approved." in response.text
    client.logout()


def test_reply_waits_then_shows_once_approved(client, replying, event, peer, member, organizer):
    assert _send(client, peer, _create(peer, _note(peer, event))) == (
        202,
        {"status": "reply waiting"},
    )
    reply = RemoteReply.objects.get()
    assert (reply.event, reply.state) == (event, ReplyState.PENDING)
    assert (reply.author_name, reply.actor_uri) == ("Alice Remote", peer.id)
    assert reply.profile_url == f"{peer.base}/@alice"
    assert reply.content_html == "<p>Is there parking?</p>"
    assert reply.published_at.isoformat() == "2026-01-02T10:00:00+00:00"
    client.force_login(member)
    assert "Is there parking?" not in client.get(event.get_absolute_url()).text
    # The admin home tells organizers it waits.
    client.force_login(organizer)
    home = client.get("/admin/").text
    assert "1 reply from the fediverse waiting" in home
    assert "/admin/federation/remotereply/?state__exact=pending" in home
    _approve(client, organizer, reply)
    client.force_login(member)
    page = client.get(event.get_absolute_url()).text
    assert "Is there parking?" in page
    assert "From the fediverse" in page
    assert f'href="{peer.base}/@alice" rel="nofollow ugc noopener">Alice Remote</a>' in page


def test_rejected_reply_is_not_shown_nor_taken_again(client, replying, event, peer, organizer):
    note = _note(peer, event)
    _send(client, peer, _create(peer, note))
    client.force_login(organizer)
    client.post(
        "/admin/federation/remotereply/",
        {"action": "reject", "_selected_action": [RemoteReply.objects.get().pk]},
    )
    reply = RemoteReply.objects.get()
    assert (reply.state, reply.content_html) == (ReplyState.REJECTED, "")
    assert "Is there parking?" not in client.get(event.get_absolute_url()).text
    client.logout()
    assert _send(client, peer, _create(peer, note))[1] == {"status": "already received"}
    assert RemoteReply.objects.get().state == ReplyState.REJECTED


def test_replies_off_keep_nothing(client, actor, event, peer):
    assert not actor.replies  # off by default
    assert _send(client, peer, _create(peer, _note(peer, event))) == (202, {"status": "ignored"})
    assert RemoteReply.objects.count() == 0


def test_unsigned_create_is_refused(client, replying, event, peer):
    body = json.dumps(_create(peer, _note(peer, event)))
    response = client.post("/inbox", data=body, content_type="application/activity+json")
    assert response.status_code == 401
    assert RemoteReply.objects.count() == 0


def test_blocked_instance_never_gets_in(client, replying, event, peer):
    BlockedDomain.objects.create(domain="127.0.0.81")
    assert _send(client, peer, _create(peer, _note(peer, event)))[0] == 403
    assert RemoteReply.objects.count() == 0


@pytest.mark.parametrize(
    "target",
    [
        "http://elsewhere.example/notes/1",  # another server's post
        f"{SERVER}/federation/other-group/events/1",  # not this group's
        f"{SERVER}/events/",  # one of our pages, not an event
        "",  # not a reply at all
    ],
)
def test_note_replying_to_something_else_is_ignored(client, replying, event, peer, target):
    note = _note(peer, event, target=target or None)
    if not target:
        del note["inReplyTo"]
    assert _send(client, peer, _create(peer, note)) == (202, {"status": "ignored"})
    assert RemoteReply.objects.count() == 0


def test_reply_to_the_event_page_and_to_a_draft(client, replying, event, peer):
    page = SERVER + event.get_absolute_url()
    assert _send(client, peer, _create(peer, _note(peer, event, target=page)))[1] == {
        "status": "reply waiting"
    }
    draft = EventFactory(group=event.group, status="draft")
    target = f"{SERVER}/federation/{event.group.slug}/events/{draft.pk}"
    note = _note(peer, event, number=2, target=target)
    assert _send(client, peer, _create(peer, note))[1] == {"status": "ignored"}
    assert list(RemoteReply.objects.values_list("event", flat=True)) == [event.pk]


def test_note_by_someone_else_than_the_signer_is_ignored(client, replying, event, peer):
    note = _note(peer, event)
    note["attributedTo"] = "http://127.0.0.81:1/users/mallory"
    assert _send(client, peer, _create(peer, note))[1] == {"status": "ignored"}
    note = {**_note(peer, event), "id": "http://elsewhere.example/statuses/1"}
    assert _send(client, peer, _create(peer, note))[1] == {"status": "ignored"}
    assert RemoteReply.objects.count() == 0


def test_remote_html_is_sanitized(client, replying, event, peer, organizer, member):
    content = (
        '<p onclick="steal()">Hi <script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">x</a> <a href="https://ok.example/">ok</a>'
        '<iframe src="https://evil.example/"></iframe></p>'
    )
    _send(client, peer, _create(peer, _note(peer, event, content=content)))
    reply = RemoteReply.objects.get()
    assert reply.content_html == (
        '<p>Hi <a rel="nofollow ugc noopener noreferrer">x</a> '
        '<a href="https://ok.example/" rel="nofollow ugc noopener noreferrer">ok</a></p>'
    )
    _approve(client, organizer, reply)
    client.force_login(member)
    page = client.get(event.get_absolute_url()).text
    for bad in ("steal()", "alert(", "evil.example", "<iframe", "onerror"):
        assert bad not in page


def test_repeated_delivery_is_stored_once(client, replying, event, peer):
    create = _create(peer, _note(peer, event))
    assert _send(client, peer, create)[1] == {"status": "reply waiting"}
    assert _send(client, peer, create)[1] == {"status": "already received"}
    assert RemoteReply.objects.count() == 1


def test_delete_by_its_author_removes_the_reply(client, replying, event, peer, organizer):
    note = _note(peer, event)
    _send(client, peer, _create(peer, note))
    _approve(client, organizer, RemoteReply.objects.get())
    tombstone = {"id": note["id"], "type": "Tombstone"}
    delete = {"id": note["id"] + "#delete", "type": "Delete", "actor": peer.id}
    assert _send(client, peer, {**delete, "object": tombstone}) == (
        202,
        {"status": "reply deleted"},
    )
    assert RemoteReply.objects.count() == 0


def test_delete_of_another_author_s_note_removes_nothing(client, replying, event, peer):
    _send(client, peer, _create(peer, _note(peer, event)))
    RemoteReply.objects.update(actor_uri="http://127.0.0.81:1/users/bob")
    delete = {"id": "x#delete", "type": "Delete", "actor": peer.id}
    delete["object"] = RemoteReply.objects.get().note_id
    assert _send(client, peer, delete)[1] == {"status": "ignored"}
    assert RemoteReply.objects.count() == 1


def test_update_of_a_note_is_ignored(client, replying, event, peer):
    note = _note(peer, event)
    _send(client, peer, _create(peer, note))
    update = {**_create(peer, {**note, "content": "<p>changed</p>"}), "type": "Update"}
    assert _send(client, peer, update)[1] == {"status": "ignored"}
    assert RemoteReply.objects.get().content_html == "<p>Is there parking?</p>"


def test_actor_deleted_takes_its_replies(client, replying, event, peer):
    _send(client, peer, _create(peer, _note(peer, event)))
    delete = {"id": peer.id + "#delete", "type": "Delete", "actor": peer.id, "object": peer.id}
    assert _send(client, peer, delete)[1] == {"status": "actor deleted"}
    assert (RemoteReply.objects.count(), RemoteActor.objects.count()) == (0, 0)


def test_turning_replies_off_hides_approved_ones(client, replying, event, peer, organizer, member):
    _send(client, peer, _create(peer, _note(peer, event)))
    _approve(client, organizer, RemoteReply.objects.get())
    replying.replies = False
    replying.save(update_fields=["replies"])
    client.force_login(member)
    assert "Is there parking?" not in client.get(event.get_absolute_url()).text


def test_privacy_page_mentions_replies_only_when_on(client, actor):
    sentence = "Replies to an event written on other servers are kept here"
    assert sentence not in client.get("/privacy/").text
    actor.replies = True
    actor.save(update_fields=["replies"])
    assert sentence in client.get("/privacy/").text


@pytest.mark.parametrize("role", ["anonymous", "member", "organizer"])
def test_replies_admin_access(client, replying, event, peer, organizer, member, role):
    """Approving and rejecting is the admin's changelist action: organizers only."""
    _send(client, peer, _create(peer, _note(peer, event)))
    reply = RemoteReply.objects.get()
    if role != "anonymous":
        client.force_login({"member": member, "organizer": organizer}[role])
    listing = client.get("/admin/federation/remotereply/")
    client.post(
        "/admin/federation/remotereply/", {"action": "approve", "_selected_action": [reply.pk]}
    )
    reply.refresh_from_db()
    expected = {
        "anonymous": (302, ReplyState.PENDING),
        "member": (302, ReplyState.PENDING),
        "organizer": (200, ReplyState.APPROVED),
    }[role]
    assert (listing.status_code, reply.state) == expected


def _approved(event, count, start=0):
    for number in range(start, start + count):
        RemoteReply.objects.create(
            event=event,
            note_id=f"https://remote.example/statuses/{number}",
            actor_uri="https://remote.example/users/alice",
            author_name=f"Alice {number}",
            profile_url="https://remote.example/@alice",
            content_html=f"<p>Reply {number}</p>",
            published_at=timezone.now(),
            state=ReplyState.APPROVED,
        )


def test_event_page_queries_do_not_grow_with_replies(client, replying, event, member):
    """One query for the approved replies however many there are (EVENT_PAGE in
    tests/conversation/test_query_counts.py counts it)."""
    client.force_login(member)

    def count_queries():
        caches["bodies"].clear()
        with CaptureQueriesContext(connection) as captured:
            page = client.get(event.get_absolute_url()).text
        return len(captured), page

    _approved(event, 1)
    few, page = count_queries()
    assert "Reply 0" in page
    _approved(event, 30, start=1)
    many, page = count_queries()
    assert "Reply 30" in page
    assert few == many
