"""Events reach followers' shared inboxes as Mobilizon shapes them: Create on publishing,
Update on a change and on cancelling (ical:status CANCELLED), Delete when unpublished or
deleted; each POST signed; failures retried with back-off and shown to organizers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from events.models import Event, EventStatus, Venue
from events.services import event_save, event_set_status, venue_save
from federation.delivery import deliveries_retry
from federation.models import BlockedDomain, Delivery, DeliveryState, Follower, RemoteActor
from tests.factories import EventFactory, VenueFactory

from .test_inbox import SERVER, _verified_by_potluck

STARTS = datetime(2027, 3, 30, 22, 0, tzinfo=UTC)  # 6 pm in New York (EDT)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SERVER


@pytest.fixture
def followed(actor, test_actor):
    """Two accounts of the test actor's server follow the group (one shared inbox)."""
    for name in ("alice", "bob"):
        remote = RemoteActor.objects.create(
            uri=f"{test_actor.base}/users/{name}",
            key_id=f"{test_actor.base}/users/{name}#main-key",
            public_key_pem=test_actor.public_key_pem,
            inbox=f"{test_actor.base}/users/{name}/inbox",
            shared_inbox=test_actor.shared_inbox,
            domain=test_actor.host,
        )
        Follower.objects.create(group=actor.group, actor=remote)
    return test_actor


def _draft(group):
    venue = Venue.objects.filter(name="Co-op Hall").first() or VenueFactory(
        name="Co-op Hall", address="12 Union Sq", city="New York"
    )
    return EventFactory(
        group=group,
        status=EventStatus.DRAFT,
        title="Worker co-ops 101",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        venue=venue,
    )


def test_publishing_delivers_one_signed_create_per_server(
    actor, followed, organizer, django_capture_on_commit_callbacks
):
    event = _draft(actor.group)
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=event, status=EventStatus.PUBLISHED, by=organizer)
    [received] = followed.received  # alice and bob share their server's inbox
    assert received.path == "/inbox"
    _verified_by_potluck(received, actor)
    create = received.activity
    assert create["type"] == "Create"
    assert create["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert create["cc"] == [f"{SERVER}/federation/{actor.group.slug}/followers"]
    obj = create["object"]
    assert obj["type"] == "Event"
    assert obj["id"] == f"{SERVER}/federation/{actor.group.slug}/events/{event.pk}"
    assert obj["url"] == f"{SERVER}{event.get_absolute_url()}"
    assert obj["name"] == "Worker co-ops 101"
    assert obj["content"] == "<p>A conversation about cooperatives.</p>"  # the summary
    assert "summary" not in obj  # Mastodon would show it as a content warning
    assert (obj["startTime"], obj["endTime"]) == ("2027-03-30T22:00:00Z", "2027-03-31T00:00:00Z")
    assert obj["ical:status"] == "CONFIRMED"
    assert obj["attributedTo"] == f"{SERVER}/federation/{actor.group.slug}"
    assert obj["location"] == {
        "type": "Place",
        "name": "Co-op Hall",
        "address": {
            "type": "PostalAddress",
            "addressLocality": "New York",
            "streetAddress": "12 Union Sq",
        },
    }
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_change_cancel_unpublish_and_delete_follow(
    actor, followed, organizer, django_capture_on_commit_callbacks
):
    event = _draft(actor.group)
    with django_capture_on_commit_callbacks(execute=True):  # each its own commit
        event_set_status(event=event, status=EventStatus.PUBLISHED, by=organizer)
    event = Event.objects.get(pk=event.pk)
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        event_save(event=event, by=organizer, changed_fields=["starts_at", "ends_at"])
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=event, status=EventStatus.DRAFT, by=organizer)
    sent = [r.activity for r in followed.received]
    kinds = [(a["type"], a["object"].get("ical:status")) for a in sent]
    assert kinds == [
        ("Create", "CONFIRMED"),
        ("Update", "CONFIRMED"),
        ("Update", "CANCELLED"),
        ("Delete", None),
    ]
    assert followed.received[1].activity["object"]["startTime"] == "2027-03-30T23:00:00Z"
    assert followed.received[3].activity["object"] == {
        "id": f"{SERVER}/federation/{actor.group.slug}/events/{event.pk}",
        "type": "Tombstone",
    }
    published = EventFactory(group=actor.group)
    pk = published.pk
    with django_capture_on_commit_callbacks(execute=True):
        published.delete()
    deleted = followed.received[-1].activity
    assert deleted["type"] == "Delete"
    assert deleted["object"]["id"].endswith(f"/events/{pk}")


def test_draft_changes_send_nothing(actor, followed, organizer, django_capture_on_commit_callbacks):
    event = _draft(actor.group)
    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Still a draft"
        event_save(event=event, by=organizer, changed_fields=["title"])
        event.delete()
    assert followed.received == []


def test_federation_off_or_blocked_sends_nothing(
    actor, followed, organizer, django_capture_on_commit_callbacks
):
    BlockedDomain.objects.create(domain=followed.host)
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=_draft(actor.group), status=EventStatus.PUBLISHED, by=organizer)
    BlockedDomain.objects.all().delete()
    actor.enabled = False
    actor.save(update_fields=["enabled"])
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=_draft(actor.group), status=EventStatus.PUBLISHED, by=organizer)
    assert followed.received == []
    assert Delivery.objects.count() == 0


def test_failed_delivery_is_retried_with_back_off_then_shown(
    actor, followed, organizer, django_capture_on_commit_callbacks, client
):
    followed.answer_status = 503
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=_draft(actor.group), status=EventStatus.PUBLISHED, by=organizer)
    row = Delivery.objects.get()
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.PENDING, 1, "HTTP 503")
    assert timedelta(seconds=55) < row.next_try_at - timezone.now() <= timedelta(seconds=60)
    # Not due yet: the periodic job leaves it alone.
    assert deliveries_retry() == "0 fediverse deliveries retried"
    # Due: tried again, and this time the server takes it.
    followed.answer_status = 202
    with time_machine.travel(row.next_try_at + timedelta(seconds=1), tick=False):
        assert deliveries_retry() == "1 fediverse deliveries retried"
    row.refresh_from_db()
    assert (row.state, row.attempts) == (DeliveryState.SENT, 2)
    assert len(followed.received) == 2
    # A server that answers 410 Gone will not get better: failed at once, on the admin home.
    followed.answer_status = 410
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=_draft(actor.group), status=EventStatus.PUBLISHED, by=organizer)
    failed = Delivery.objects.filter(state=DeliveryState.FAILED).get()
    assert (failed.attempts, failed.last_error) == (1, "HTTP 410")
    client.force_login(organizer)
    home = client.get("/admin/")
    assert "1 delivery to the fediverse failed" in home.content.decode()


def test_new_address_of_the_venue_updates_its_upcoming_events(
    actor, followed, organizer, django_capture_on_commit_callbacks
):
    event = _draft(actor.group)
    with django_capture_on_commit_callbacks(execute=True):
        event_set_status(event=event, status=EventStatus.PUBLISHED, by=organizer)
    venue = event.venue
    venue.address = "1 Cooperative Way"
    with django_capture_on_commit_callbacks(execute=True):
        venue_save(venue=venue, changed_fields=["address"])
    update = followed.received[-1].activity
    assert update["type"] == "Update"
    assert update["object"]["location"]["address"]["streetAddress"] == "1 Cooperative Way"
    assert len(followed.received) == 2
