"""Feed query counts stay the same whether the feed holds a few events or many.

The two 304 cases (warm, cache emptied) are counted on one set of 200 events built once, in a
transaction rolled back at once (tests/worlds.py), each case with empty caches and its own
client as its own test had."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from icalendar import Calendar

from events.models import EventSpeaker, RSVPStatus, SpeakerRole
from events.services import rsvp_set
from tests.factories import (
    EventFactory,
    GroupFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

# Every feed request also reads the change generation from the database (one query).
# Uncached group feed: group (middleware), generation, events with group, venue and series,
# speakers.
GROUP_FEED = 4
# Uncached personal feed: group, member by token, generation, the member's RSVPs, events,
# speakers.
PERSONAL_FEED = 6
# A 304, from a warm or an empty cache: group, generation; the personal feed also finds the
# member.
GROUP_304 = 2
PERSONAL_304 = 3


def _queries(client, url, *, status=200, cold=True, **headers):
    """Queries of one GET, with the feed cache emptied first unless cold=False."""
    if cold:
        caches["bodies"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == status
    return len(captured), response


def _vevents(response):
    return {str(v["summary"]): v for v in Calendar.from_ical(response.content).walk("VEVENT")}


def _add_events(count, *, venues, speakers, series, upcoming_only=False, **kwargs):
    """Events in the feed window, half past (within the year) and half upcoming unless
    upcoming_only; every other one with one to three guest speakers, every third in a series.
    """
    now = timezone.now()
    events = []
    for i in range(count):
        days = i + 1 if upcoming_only or i % 2 else -(i + 1)
        event = EventFactory(
            starts_at=now + timedelta(days=days, hours=1),
            venue=venues[i % len(venues)],
            series=series if i % 3 == 0 else None,
            **kwargs,
        )
        if i % 2 == 0:
            for order in range(1 + i // 2 % 3):
                EventSpeaker.objects.create(
                    event=event,
                    speaker=speakers[(i + order) % len(speakers)],
                    role=SpeakerRole.GUEST,
                    order=order,
                )
        events.append(event)
    return events


@pytest.fixture
def venues():
    return [VenueFactory(latitude="40.718000", longitude="-73.998000") for _ in range(3)]


@pytest.fixture
def speakers():
    return [SpeakerFactory() for _ in range(4)]


@pytest.fixture
def series(group):
    return SeriesFactory(group=group)


@pytest.fixture
def outside(group, venues):
    """A draft and an event from more than a year ago: in the database, never in a feed."""
    now = timezone.now()
    return [
        EventFactory(starts_at=now + timedelta(days=3), status="draft", venue=venues[0]),
        EventFactory(starts_at=now - timedelta(days=400), venue=venues[0]),
    ]


def test_group_feed_queries_do_not_grow_with_events(
    client, group, venues, speakers, series, outside
):
    _add_events(10, venues=venues, speakers=speakers, series=series)
    small, response = _queries(client, "/calendar.ics")
    assert len(_vevents(response)) == 10
    _add_events(190, venues=venues, speakers=speakers, series=series)
    large, response = _queries(client, "/calendar.ics")
    assert len(_vevents(response)) == 200
    assert (small, large) == (GROUP_FEED, GROUP_FEED)


def test_series_feed_queries_do_not_grow_with_events(
    client, group, venues, speakers, series, outside
):
    """The group feed's queries and the series (every third event is in it)."""
    _add_events(12, venues=venues, speakers=speakers, series=series)
    url = f"/series/{series.slug}/calendar.ics"
    small, response = _queries(client, url)
    assert len(_vevents(response)) == 4
    _add_events(189, venues=venues, speakers=speakers, series=series)
    large, response = _queries(client, url)
    assert len(_vevents(response)) == 4 + 63
    assert (small, large) == (GROUP_FEED + 1, GROUP_FEED + 1)


def test_full_history_feed_queries_do_not_grow_with_events(
    client, group, venues, speakers, series, outside
):
    """The group feed's queries, with the older published event in it too."""
    _add_events(10, venues=venues, speakers=speakers, series=series)
    small, response = _queries(client, "/calendar/all.ics")
    assert len(_vevents(response)) == 11
    _add_events(190, venues=venues, speakers=speakers, series=series)
    large, response = _queries(client, "/calendar/all.ics")
    assert len(_vevents(response)) == 201
    assert (small, large) == (GROUP_FEED, GROUP_FEED)


@pytest.fixture(scope="module")
def group_feed_304(django_db_setup, django_db_blocker):
    """cold -> (the first answer's status, then each 304's status and queries: by ETag, by
    date), on the rows of the fixtures above and 200 events, built once."""

    def build():
        translation.deactivate()  # as tests/conftest.py's _main_language, not yet in force
        group = GroupFactory()
        venues = [VenueFactory(latitude="40.718000", longitude="-73.998000") for _ in range(3)]
        speakers = [SpeakerFactory() for _ in range(4)]
        series = SeriesFactory(group=group)
        now = timezone.now()
        EventFactory(starts_at=now + timedelta(days=3), status="draft", venue=venues[0])
        EventFactory(starts_at=now - timedelta(days=400), venue=venues[0])
        _add_events(200, venues=venues, speakers=speakers, series=series)
        found = {}
        for cold in (False, True):
            for cache in caches.all():  # as a test of its own began
                cache.clear()
            client = Client()
            response = client.get("/calendar.ics")
            etag, modified = response["ETag"], response["Last-Modified"]
            answers = [response.status_code]
            for header in ({"if_none_match": etag}, {"if_modified_since": modified}):
                if cold:
                    caches["bodies"].clear()
                with CaptureQueriesContext(connection) as captured:
                    answers.append(
                        (client.get("/calendar.ics", headers=header).status_code, len(captured))
                    )
            found[cold] = answers
        for cache in caches.all():
            cache.clear()
        return found

    # Rolled back at once, not kept for the module: the other tests build their own rows.
    rows = built_once(django_db_blocker, build)
    try:
        return next(rows)
    finally:
        rows.close()


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cache-emptied"])
def test_group_feed_304_queries(group_feed_304, cold):
    """The ETag and Last-Modified come from the generation: no build, even with no cache."""
    first, (etag_status, by_etag), (date_status, by_date) = group_feed_304[cold]
    assert (first, etag_status, date_status) == (200, 304, 304)
    assert (by_etag, by_date) == (GROUP_304, GROUP_304)


def test_personal_feed_queries_do_not_grow_with_rsvps(
    client, group, member, venues, speakers, series, outside
):
    """Every fourth event is full, so the member is waitlisted there (TENTATIVE)."""
    other = UserFactory()
    events = _add_events(40, venues=venues, speakers=speakers, series=series, upcoming_only=True)
    statuses = {}
    for i, event in enumerate(events):
        if i % 4 == 3:
            event.capacity = 1
            event.save(update_fields=["capacity"])
            rsvp_set(event=event, member=other, going=True)
    url = f"/calendar/{member.calendar_token}.ics"

    def rsvp(chosen):
        for event in chosen:
            statuses[event.title] = rsvp_set(event=event, member=member, going=True).status

    rsvp(events[2:4])
    small, response = _queries(client, url)
    assert {s: str(v["status"]) for s, v in _vevents(response).items()} == {
        events[2].title: "CONFIRMED",
        events[3].title: "TENTATIVE",
    }
    rsvp(events[:2] + events[4:])
    assert list(statuses.values()).count(RSVPStatus.WAITLISTED) == 10
    large, response = _queries(client, url)
    assert len(_vevents(response)) == 40
    assert (small, large) == (PERSONAL_FEED, PERSONAL_FEED)

    etag = response["ETag"]
    warm, _ = _queries(client, url, status=304, cold=False, if_none_match=etag)
    emptied, _ = _queries(client, url, status=304, cold=True, if_none_match=etag)
    assert (warm, emptied) == (PERSONAL_304, PERSONAL_304)
