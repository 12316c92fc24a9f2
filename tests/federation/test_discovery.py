"""WebFinger, NodeInfo, the actor, its outbox and followers: what Mastodon and Mobilizon
read first, with the media types they insist on."""

import json
from datetime import UTC, datetime

import pytest
from django.conf import settings

from federation.models import Follower, RemoteActor
from tests.factories import EventFactory

ACTIVITY = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def _acct(group):
    host = settings.SITE_URL.split("://", 1)[1]
    return f"acct:{group.slug}@{host}"


def test_webfinger_answers_jrd_for_the_group(client, actor):
    group = actor.group
    response = client.get("/.well-known/webfinger", {"resource": _acct(group)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    data = json.loads(response.content)
    assert data["subject"] == _acct(group)
    assert data["links"][0] == {
        "rel": "self",
        "type": ACTIVITY,
        "href": f"{settings.SITE_URL}/federation/{group.slug}",
    }


def test_webfinger_unknown_account_is_404(client, actor):
    response = client.get("/.well-known/webfinger", {"resource": "acct:nobody@example.org"})
    assert response.status_code == 404


def test_federation_off_hides_webfinger_actor_and_outbox(client, actor):
    actor.enabled = False
    actor.save(update_fields=["enabled"])
    slug = actor.group.slug
    assert client.get("/.well-known/webfinger", {"resource": _acct(actor.group)}).status_code == 404
    assert client.get(f"/federation/{slug}", headers={"Accept": ACTIVITY}).status_code == 404
    assert client.get(f"/federation/{slug}/outbox").status_code == 404
    data = json.loads(client.get("/nodeinfo/2.1").content)
    assert data["protocols"] == []


def test_nodeinfo_links_to_2_1_with_its_profile(client, actor):
    response = client.get("/.well-known/nodeinfo")
    assert response.status_code == 200
    links = json.loads(response.content)["links"]
    assert links == [
        {
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": f"{settings.SITE_URL}/nodeinfo/2.1",
        }
    ]
    info = client.get("/nodeinfo/2.1")
    assert info["Content-Type"] == (
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
    )
    data = json.loads(info.content)
    assert (data["version"], data["software"]["name"], data["protocols"]) == (
        "2.1",
        "potluck",
        ["activitypub"],
    )


@pytest.mark.parametrize("accept", [ACTIVITY, LD])
def test_actor_is_a_group_with_key_and_collections(client, actor, accept):
    group = actor.group
    response = client.get(f"/federation/{group.slug}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == accept
    data = json.loads(response.content)
    me = f"{settings.SITE_URL}/federation/{group.slug}"
    assert data["id"] == me
    assert data["type"] == "Group"
    assert data["preferredUsername"] == group.slug
    assert data["name"] == group.name
    assert data["inbox"] == me + "/inbox"
    assert data["outbox"] == me + "/outbox"
    assert data["followers"] == me + "/followers"
    assert data["endpoints"] == {"sharedInbox": f"{settings.SITE_URL}/inbox"}
    assert data["publicKey"]["id"] == me + "#main-key"
    assert data["publicKey"]["owner"] == me
    assert data["publicKey"]["publicKeyPem"] == actor.public_key_pem
    assert data["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_actor_in_a_browser_goes_to_the_home_page(client, actor):
    response = client.get(f"/federation/{actor.group.slug}", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_outbox_is_paged_creates_of_published_events(client, actor, django_assert_num_queries):
    group = actor.group
    starts = datetime(2027, 3, 9, 23, 30, tzinfo=UTC)
    shown = EventFactory(group=group, starts_at=starts, ends_at=starts.replace(day=10, hour=1))
    EventFactory(group=group, status="draft")
    base = f"/federation/{group.slug}/outbox"
    collection = client.get(base)
    assert collection["Content-Type"] == ACTIVITY
    data = json.loads(collection.content)
    assert (data["type"], data["totalItems"], data["first"]) == (
        "OrderedCollection",
        1,
        f"{settings.SITE_URL}{base}?page=1",
    )
    page = json.loads(client.get(base, {"page": 1}).content)
    assert page["type"] == "OrderedCollectionPage"
    [create] = page["orderedItems"]
    assert create["type"] == "Create"
    event = create["object"]
    assert (event["type"], event["name"]) == ("Event", shown.title)
    assert event["startTime"] == "2027-03-09T23:30:00Z"
    assert event["endTime"] == "2027-03-10T01:30:00Z"
    # The page's queries do not grow with the events on it (group and session, actor,
    # count, page).
    with django_assert_num_queries(5):
        client.get(base, {"page": 1})
    EventFactory.create_batch(25, group=group)
    with django_assert_num_queries(5):
        page = json.loads(client.get(base, {"page": 1}).content)
    assert len(page["orderedItems"]) == 20


def test_followers_shows_the_count_only(client, actor):
    remote = RemoteActor.objects.create(
        uri="https://social.example/users/bo",
        key_id="https://social.example/users/bo#main-key",
        public_key_pem="x",
        inbox="https://social.example/users/bo/inbox",
        domain="social.example",
    )
    Follower.objects.create(group=actor.group, actor=remote)
    data = json.loads(client.get(f"/federation/{actor.group.slug}/followers").content)
    assert (data["type"], data["totalItems"]) == ("OrderedCollection", 1)
    assert "orderedItems" not in data
