"""Feeds are fresh because of what the database says, not because every process shares a cache.

Each test warms a feed, then changes the data the way another process would — a raw save
from a shell, an admin delete, the counter bumped after a commit — and reads the feed again
from the same warm per-process cache. tests/production/ proves the same across two servers.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from core.models import ChangeGeneration
from events.calendar_cache import GENERATION_KEY, PERSONAL_KEY, feed_version
from events.models import Event
from events.services import rsvp_cancel, rsvp_set
from tests.factories import EventFactory, SpeakerFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _titles(response):
    return sorted(str(v["summary"]) for v in Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.fixture
def event(group):
    return EventFactory(starts_at=timezone.now() + timedelta(days=5), title="Coop night")


def test_a_raw_save_is_in_the_feed_at_the_next_request(client, event):
    feeds = ["/calendar.ics", "/calendar/all.ics", f"/events/{event.slug}/calendar.ics"]
    assert [_titles(client.get(url)) for url in feeds] == [["Coop night"]] * 3
    # What `manage.py shell` would do: no service, no admin, no cache call.
    renamed = Event.objects.get(pk=event.pk)
    renamed.title = "Platform co-op night"
    renamed.save()
    assert [_titles(client.get(url)) for url in feeds] == [["Platform co-op night"]] * 3


def _etag() -> str:
    return feed_version("history").etag


def test_a_venue_or_speaker_saved_anywhere_moves_the_generation(event):
    before = _etag()
    venue = VenueFactory()
    assert _etag() != before
    before = _etag()
    SpeakerFactory()
    assert _etag() != before
    assert venue.pk


def test_a_deletion_is_seen_once_it_commits(client, group, django_capture_on_commit_callbacks):
    kept = EventFactory(starts_at=timezone.now() + timedelta(days=3), title="Kept")
    gone = EventFactory(starts_at=timezone.now() + timedelta(days=4), title="Gone")
    assert _titles(client.get("/calendar.ics")) == ["Gone", "Kept"]
    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()  # a deletion leaves no newer updated_at behind; the counter says it
    assert ChangeGeneration.objects.get(key=GENERATION_KEY).value == 1
    assert _titles(client.get("/calendar.ics")) == ["Kept"]
    assert kept.pk


def test_the_counter_moves_only_after_commit_and_once_per_transaction(
    group, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        VenueFactory()
        SpeakerFactory()
        EventFactory()
        assert not ChangeGeneration.objects.filter(key=GENERATION_KEY).exists()
    for callback in callbacks:  # what the commit does
        callback()
    # Once per commit, however many rows changed.
    assert ChangeGeneration.objects.get(key=GENERATION_KEY).value == 1


@pytest.mark.django_db(transaction=True)
def test_an_rsvp_moves_only_the_personal_counter(event):
    member = UserFactory()
    before = dict(ChangeGeneration.objects.values_list("key", "value"))
    rsvp_set(event=event, member=member, going=True)
    after = dict(ChangeGeneration.objects.values_list("key", "value"))
    assert after[PERSONAL_KEY] == before[PERSONAL_KEY] + 1
    assert after[GENERATION_KEY] == before[GENERATION_KEY]


def test_a_personal_feed_follows_the_members_rsvps(client, event):
    member = UserFactory()
    url = f"/calendar/{member.calendar_token}.ics"
    assert _titles(client.get(url)) == []
    rsvp_set(event=event, member=member, going=True)
    assert _titles(client.get(url)) == ["Coop night"]
    rsvp_cancel(event=event, member=member)
    assert _titles(client.get(url)) == []
