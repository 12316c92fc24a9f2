"""The inbox: signed Follow from a test actor on loopback gets a signed Accept at its inbox;
Undo and Delete drop the follower; unsigned, forged, stale and blocked requests are refused."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from federation import signatures
from federation.models import BlockedDomain, Delivery, DeliveryState, Follower

SERVER = "http://testserver"


def _post(client, path, body, headers):
    headers = dict(headers)
    content_type = headers.pop("Content-Type")
    return client.post(path, data=body, content_type=content_type, headers=headers)


def _follow(client, actor, test_actor, path=None):
    path = path or f"/federation/{actor.group.slug}/inbox"
    body, headers = test_actor.signed_post(
        SERVER + path, test_actor.follow(f"http://testserver/federation/{actor.group.slug}")
    )
    return _post(client, path, body, headers)


def _verified_by_potluck(received, actor):
    """The request the test actor got verifies with the group's published key."""
    signature = signatures.check_request(
        method="POST", path=received.path, headers=received.headers, body=received.body
    )
    assert signature.key_id == f"http://testserver/federation/{actor.group.slug}#main-key"
    assert signature.headers == ("(request-target)", "host", "date", "digest")
    signatures.verify(
        signature,
        method="POST",
        path=received.path,
        headers=received.headers,
        public_key_pem=actor.public_key_pem,
    )


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SERVER


def test_signed_follow_is_accepted_with_a_signed_accept(
    client, actor, test_actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _follow(client, actor, test_actor)
    assert response.status_code == 202
    assert json.loads(response.content) == {"status": "followed"}
    [follower] = Follower.objects.select_related("actor")
    assert follower.actor.uri == test_actor.id
    assert follower.actor.shared_inbox == test_actor.shared_inbox
    [accepted] = test_actor.received
    assert accepted.path == f"/users/{test_actor.username}/inbox"
    _verified_by_potluck(accepted, actor)
    activity = accepted.activity
    assert activity["type"] == "Accept"
    assert activity["actor"] == f"{SERVER}/federation/{actor.group.slug}"
    assert activity["object"]["id"] == test_actor.follow("x")["id"]
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_follow_on_the_shared_inbox_is_accepted(client, actor, test_actor):
    assert _follow(client, actor, test_actor, path="/inbox").status_code == 202
    assert Follower.objects.count() == 1


def test_unsigned_post_is_refused(client, actor, test_actor):
    body = json.dumps(test_actor.follow(f"{SERVER}/federation/{actor.group.slug}"))
    response = client.post(
        f"/federation/{actor.group.slug}/inbox", data=body, content_type="application/json"
    )
    assert response.status_code == 401
    assert json.loads(response.content) == {"error": "no signature"}
    assert Follower.objects.count() == 0


def test_post_signed_with_another_key_is_refused(client, actor, test_actor):
    path = f"/federation/{actor.group.slug}/inbox"
    other_key, _public = signatures.key_pair()
    follow = test_actor.follow(f"{SERVER}/federation/{actor.group.slug}")
    body, headers = test_actor.signed_post(SERVER + path, follow, key_pem=other_key)
    response = _post(client, path, body, headers)
    assert response.status_code == 401
    assert json.loads(response.content) == {"error": "signature does not verify"}
    assert Follower.objects.count() == 0


def test_body_changed_after_signing_is_refused(client, actor, test_actor):
    path = f"/federation/{actor.group.slug}/inbox"
    body, headers = test_actor.signed_post(
        SERVER + path, test_actor.follow(f"{SERVER}/federation/{actor.group.slug}")
    )
    response = _post(client, path, body.replace(b"Follow", b"Block"), headers)
    assert response.status_code == 401
    assert json.loads(response.content) == {"error": "digest does not match the body"}


def test_date_older_than_12_hours_is_refused(client, actor, test_actor):
    path = f"/federation/{actor.group.slug}/inbox"
    body = json.dumps(test_actor.follow(f"{SERVER}/federation/{actor.group.slug}")).encode()
    headers = signatures.sign(
        method="POST",
        url=SERVER + path,
        body=body,
        key_id=test_actor.key_id,
        private_key_pem=test_actor.private_key_pem,
        now=datetime.now(UTC) - timedelta(hours=13),
    )
    headers["Content-Type"] = "application/activity+json"
    response = _post(client, path, body, headers)
    assert response.status_code == 401
    assert json.loads(response.content) == {"error": "Date is more than 12 hours away"}


def test_activity_of_another_actor_than_the_signer_is_refused(client, actor, test_actor):
    path = f"/federation/{actor.group.slug}/inbox"
    follow = {**test_actor.follow(f"{SERVER}/federation/{actor.group.slug}")}
    follow["actor"] = "http://127.0.0.23:1/users/mallory"
    body, headers = test_actor.signed_post(SERVER + path, follow)
    assert _post(client, path, body, headers).status_code == 401


def test_undo_follow_and_delete_of_the_actor_drop_the_follower(client, actor, test_actor):
    path = f"/federation/{actor.group.slug}/inbox"
    follow = test_actor.follow(f"{SERVER}/federation/{actor.group.slug}")
    assert _follow(client, actor, test_actor).status_code == 202
    undo = {"id": test_actor.id + "#undo", "type": "Undo", "actor": test_actor.id}
    undo["object"] = follow
    body, headers = test_actor.signed_post(SERVER + path, undo)
    response = _post(client, path, body, headers)
    assert (response.status_code, json.loads(response.content)) == (202, {"status": "unfollowed"})
    assert Follower.objects.count() == 0
    assert _follow(client, actor, test_actor).status_code == 202
    delete = {"id": test_actor.id + "#delete", "type": "Delete", "actor": test_actor.id}
    delete["object"] = test_actor.id
    body, headers = test_actor.signed_post(SERVER + "/inbox", delete)
    assert _post(client, "/inbox", body, headers).status_code == 202
    assert Follower.objects.count() == 0


def test_other_activities_are_ignored_politely(client, actor, test_actor):
    path = f"/federation/{actor.group.slug}/inbox"
    like = {"id": test_actor.id + "#like", "type": "Like", "actor": test_actor.id, "object": "x"}
    body, headers = test_actor.signed_post(SERVER + path, like)
    response = _post(client, path, body, headers)
    assert (response.status_code, json.loads(response.content)) == (202, {"status": "ignored"})


def test_blocked_instance_is_refused(client, actor, test_actor):
    BlockedDomain.objects.create(domain="127.0.0.23")
    response = _follow(client, actor, test_actor)
    assert response.status_code == 403
    assert test_actor.gets == []  # not even its key was fetched


def test_inbox_of_a_group_with_federation_off_is_404(client, actor, test_actor):
    actor.enabled = False
    actor.save(update_fields=["enabled"])
    assert _follow(client, actor, test_actor).status_code == 404


def test_signer_on_a_private_address_is_not_fetched_in_production(
    client, actor, test_actor, settings
):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = False
    response = _follow(client, actor, test_actor)
    assert response.status_code == 401
    assert json.loads(response.content) == {
        "error": "the signer's key: only https addresses are fetched"
    }
    assert test_actor.gets == []
