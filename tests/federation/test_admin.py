"""Organizers turn federation on from the admin (the key pair is made then), block an
instance, send failed deliveries again, and follow another account by its address (an Undo
when they stop)."""

from federation.models import (
    Actor,
    BlockedDomain,
    Delivery,
    DeliveryState,
    Following,
    FollowingState,
)


def test_organizer_turns_federation_on_and_blocks_an_instance(client, group, organizer):
    client.force_login(organizer)
    for model in ("actor", "blockeddomain", "follower", "delivery", "following"):
        assert client.get(f"/admin/federation/{model}/").status_code == 200
    response = client.post(
        "/admin/federation/actor/add/", {"group": group.pk, "enabled": "on"}, follow=True
    )
    assert response.status_code == 200
    actor = Actor.objects.get()
    assert actor.enabled
    assert actor.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert actor.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    key = actor.public_key_pem
    client.post(f"/admin/federation/actor/{actor.pk}/change/", {"enabled": ""})
    actor.refresh_from_db()
    assert (actor.enabled, actor.public_key_pem) == (False, key)  # the key stays
    client.post("/admin/federation/blockeddomain/add/", {"domain": " Spam.Example. "})
    assert list(BlockedDomain.objects.values_list("domain", flat=True)) == ["spam.example"]


def test_failed_delivery_is_sent_again_from_the_admin(
    client, actor, organizer, test_actor, django_capture_on_commit_callbacks
):
    row = Delivery.objects.create(
        group=actor.group,
        inbox=test_actor.shared_inbox,
        activity={"type": "Update"},
        kind="Update",
        state=DeliveryState.FAILED,
        attempts=8,
        last_error="HTTP 503",
    )
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/federation/delivery/",
            {"action": "retry", "_selected_action": [row.pk]},
            follow=True,
        )
    assert "1 delivery queued." in response.content.decode()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 9, "")
    assert [r.activity for r in test_actor.received] == [{"type": "Update"}]


def test_organizer_follows_by_address_and_stops_with_an_undo(
    client, actor, organizer, test_actor, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    assert client.get("/admin/federation/following/add/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/federation/following/add/",
            {"group": actor.group.pk, "address": test_actor.id},
            follow=True,
        )
    assert response.status_code == 200
    following = Following.objects.get()
    assert (following.actor.uri, following.state) == (test_actor.id, FollowingState.PENDING)
    page = client.get("/admin/federation/following/").content.decode()
    assert test_actor.username in page and "Waiting for an answer" in page
    assert [r.activity["type"] for r in test_actor.received] == ["Follow"]
    response = client.post(
        "/admin/federation/following/add/",
        {"group": actor.group.pk, "address": f"{test_actor.base}/users/nobody"},
    )
    assert "Could not find" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/federation/following/{following.pk}/delete/", {"post": "yes"})
    assert not Following.objects.exists()
    assert [r.activity["type"] for r in test_actor.received] == ["Follow", "Undo"]
