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
from events.calendar_cache import GENERATION_KEY, calendar_changed, current_generation
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


def test_a_venue_or_speaker_saved_anywhere_moves_the_generation(event):
    before = current_generation()
    venue = VenueFactory()
    assert current_generation() != before
    before = current_generation()
    SpeakerFactory()
    assert current_generation() != before
    assert venue.pk


def test_a_deletion_is_seen_once_it_commits(client, group, django_capture_on_commit_callbacks):
    kept = EventFactory(starts_at=timezone.now() + timedelta(days=3), title="Kept")
    gone = EventFactory(starts_at=timezone.now() + timedelta(days=4), title="Gone")
    assert _titles(client.get("/calendar.ics")) == ["Gone", "Kept"]
    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()  # a deletion leaves no newer updated_at behind; the counter says it
        calendar_changed()
    assert ChangeGeneration.objects.get(key=GENERATION_KEY).value == 1
    assert _titles(client.get("/calendar.ics")) == ["Kept"]
    assert kept.pk


def test_the_counter_moves_only_after_commit(group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_changed()
        assert not ChangeGeneration.objects.filter(key=GENERATION_KEY).exists()
    assert len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()
    assert ChangeGeneration.objects.get(key=GENERATION_KEY).value == 2


def test_a_personal_feed_follows_the_members_rsvps(client, event):
    member = UserFactory()
    url = f"/calendar/{member.calendar_token}.ics"
    assert _titles(client.get(url)) == []
    rsvp_set(event=event, member=member, going=True)
    assert _titles(client.get(url)) == ["Coop night"]
    rsvp_cancel(event=event, member=member)
    assert _titles(client.get(url)) == []
