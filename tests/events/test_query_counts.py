"""Query counts stay the same whether the database holds 10 or 1,000 events.

The four public pages are counted on one full event and its 9 others built once for the
module (tests/worlds.py) and rolled back once counted; each page then adds its 990 events
(made once: an Event costs more to make than to insert) in a savepoint rolled back after its
count, as its own test did, and each test asserts its own page's figures."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from events.models import Event
from tests.events.conftest import build_full_event
from tests.factories import GroupFactory, UserFactory, VenueFactory, bulk_events
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

# /: group, organizers, resource links, social links, counts, next, recent past, speakers.
# Lists: group, count, the page, guest speakers.
# Detail: group, event (with venue and series), speakers, agenda, breakouts (with sign-up
# counts), hosts, RSVP stats; visitors are shown no attendee names, so no attendee list, and
# no credit of the proposal it came from (decisions: members only).
PINNED = {"/": 8, "/events/": 4, "/events/past/": 4, "detail": 7}
MAX_QUERIES = 8


def _add_events(group, count):
    """Bulk-creates events, half past and half upcoming, on a few venues."""
    Event.objects.bulk_create(_events(group, count, [VenueFactory() for _ in range(5)]))


def _events(group, count, venues) -> list[Event]:
    """count new events (unsaved), half past and half upcoming, on the venues in turn."""
    return bulk_events(group, count, venues)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture(scope="module")
def public_counts(django_db_setup, django_db_blocker):
    """page -> (its count at 10 events, at 1,000, the events then), each page counted as its
    own test did: the caches emptied and a new client, signed out, at 10 events; the 990 more
    added in a savepoint, the page counted again (the caches as the first count left them),
    and the savepoint rolled back for the next page."""
    from django.core.cache import caches
    from django.test import Client

    def build():
        translation.deactivate()  # as tests/conftest.py's _main_language, not yet in force
        group = GroupFactory()
        event = build_full_event(starts_at=timezone.now() + timedelta(hours=1))
        _add_events(group, 9)
        found, events = {}, None
        for page in PINNED:
            url = event.get_absolute_url() if page == "detail" else page
            for cache in caches.all():
                cache.clear()
            client = Client()
            small = _queries(client, url)
            with transaction.atomic():
                venues = [VenueFactory() for _ in range(5)]
                if events is None:
                    events = _events(group, 990, venues)
                else:  # the same 990 events again, unsaved, on this savepoint's new venues
                    for i, again in enumerate(events):
                        again.pk, again._state.adding, again.venue = None, True, venues[i % 5]
                Event.objects.bulk_create(events)
                found[page] = (small, _queries(client, url), Event.objects.count())
                transaction.set_rollback(True)
        for cache in caches.all():
            cache.clear()
        return found

    # Rolled back at once, not kept for the module: the other tests build their own rows.
    rows = built_once(django_db_blocker, build)
    try:
        return next(rows)
    finally:
        rows.close()


@pytest.mark.parametrize("page", PINNED)
def test_query_count_constant_from_10_to_1000_events(public_counts, page):
    small, large, events = public_counts[page]
    assert events == 1000
    assert (small, large) == (PINNED[page], PINNED[page])
    assert large <= MAX_QUERIES


def test_speaker_and_series_pages_do_not_grow(client, group):
    from events.models import EventSpeaker
    from tests.factories import EventFactory, SeriesFactory, SpeakerFactory

    speaker = SpeakerFactory()
    series = SeriesFactory(group=group)

    def grow(count):
        for i in range(count):
            event = EventFactory(
                series=series, starts_at=timezone.now() + timedelta(days=(i % 2 * 2 - 1) * (i + 1))
            )
            EventSpeaker.objects.create(event=event, speaker=speaker)

    grow(2)
    small = (
        _queries(client, speaker.get_absolute_url()),
        _queries(client, series.get_absolute_url()),
    )
    grow(40)
    large = (
        _queries(client, speaker.get_absolute_url()),
        _queries(client, series.get_absolute_url()),
    )
    # speaker: group, speaker, links, appearances; series: group, series, two lists + speakers
    assert small == large == (4, 6)


# A member going: session, user, group, the page version (event, RSVP, host, role, flags), then
# the event, speakers, agenda, breakouts, hosts, RSVP stats, attendees, their RSVP, and the
# comments' and proposal credit's (hooks) three, the approved replies from the fediverse
# (federation's hook). The going card adds none: its breakout comes from the prefetched list,
# its calendar link from the event.
MEMBER_GOING = 16


def test_event_page_as_member_going_does_not_grow(client, group, member):
    from events import services

    event = build_full_event(starts_at=timezone.now() + timedelta(hours=1), capacity=500)
    services.rsvp_set(event=event, member=member, going=True)
    services.rsvp_choose_breakout(
        event=event, member=member, breakout=event.breakouts.order_by("order").first()
    )
    client.force_login(member)
    _add_events(group, 9)
    small = _queries(client, event.get_absolute_url())
    _add_events(group, 990)
    for _ in range(30):
        services.rsvp_set(event=event, member=UserFactory(), going=True)
    large = _queries(client, event.get_absolute_url())
    assert (small, large) == (MEMBER_GOING, MEMBER_GOING)
