"""The group follows a loopback account: follow_send resolves it (actor URL or WebFinger
address), a signed Follow reaches its inbox, its signed Accept or Reject updates the
Following row, an answer signed by anyone else changes nothing, and stopping sends Undo."""

import json

import pytest

from federation.models import Delivery, DeliveryState, Following, FollowingState
from federation.services import FollowError, follow_send, follow_undo

from .test_inbox import SERVER, _post, _verified_by_potluck


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SERVER


def _answer(client, actor, peer, kind, obj):
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{peer.id}#answers/{kind}",
        "type": kind,
        "actor": peer.id,
        "object": obj,
    }
    path = f"/federation/{actor.group.slug}/inbox"
    body, headers = peer.signed_post(SERVER + path, activity)
    return _post(client, path, body, headers)


def _follow(actor, target, capture):
    with capture(execute=True):
        return follow_send(group=actor.group, target=target)


def test_follow_by_webfinger_address_is_sent_signed_and_accepted(
    client, actor, test_actor, django_capture_on_commit_callbacks
):
    address = f"acct:{test_actor.username}@{test_actor.host}:{test_actor.port}"
    following = _follow(actor, address, django_capture_on_commit_callbacks)
    assert following.state == FollowingState.PENDING
    assert following.actor.uri == test_actor.id
    assert any(get.startswith("/.well-known/webfinger?resource=acct") for get in test_actor.gets)
    [sent] = test_actor.received
    assert sent.path == f"/users/{test_actor.username}/inbox"
    _verified_by_potluck(sent, actor)
    follow = sent.activity
    assert (follow["type"], follow["object"], follow["id"]) == (
        "Follow",
        test_actor.id,
        following.follow_id,
    )
    assert Delivery.objects.get(kind="Follow").state == DeliveryState.SENT

    response = _answer(client, actor, test_actor, "Accept", follow)
    assert (response.status_code, json.loads(response.content)) == (
        202,
        {"status": "follow accepted"},
    )
    following.refresh_from_db()
    assert following.state == FollowingState.ACCEPTED
    assert following.answered_at is not None


def test_reject_by_the_follow_id_alone(
    client, actor, test_actor, django_capture_on_commit_callbacks
):
    following = _follow(actor, test_actor.id, django_capture_on_commit_callbacks)
    response = _answer(client, actor, test_actor, "Reject", following.follow_id)
    assert json.loads(response.content) == {"status": "follow rejected"}
    following.refresh_from_db()
    assert following.state == FollowingState.REJECTED


def test_an_answer_signed_by_another_actor_changes_nothing(
    client, actor, test_actor, django_capture_on_commit_callbacks
):
    from .peer import PeerActor

    following = _follow(actor, test_actor.id, django_capture_on_commit_callbacks)
    other = PeerActor(host=test_actor.host, username="mallory").start()
    try:
        response = _answer(client, actor, other, "Accept", following.follow_id)
    finally:
        other.stop()
    assert json.loads(response.content) == {"status": "ignored"}
    following.refresh_from_db()
    assert following.state == FollowingState.PENDING


def test_unfollowing_sends_a_signed_undo_of_the_follow(
    actor, test_actor, django_capture_on_commit_callbacks
):
    following = _follow(actor, test_actor.id, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        follow_undo(following=following)
    assert not Following.objects.exists()
    undo = test_actor.received[-1]
    _verified_by_potluck(undo, actor)
    assert undo.activity["type"] == "Undo"
    assert undo.activity["object"]["id"] == following.follow_id
    assert undo.activity["object"]["object"] == test_actor.id


def test_following_needs_federation_on_and_a_reachable_actor(actor, test_actor):
    actor.enabled = False
    actor.save(update_fields=["enabled"])
    with pytest.raises(FollowError, match="Turn federation on"):
        follow_send(group=actor.group, target=test_actor.id)
    actor.enabled = True
    actor.save(update_fields=["enabled"])
    with pytest.raises(FollowError, match="Could not find"):
        follow_send(group=actor.group, target=f"{test_actor.base}/users/nobody")
    with pytest.raises(FollowError, match=r"name@example\.org"):
        follow_send(group=actor.group, target="not an address")
    assert not Following.objects.exists()
