"""Query counts stay the same whether the database holds 10 or 1,000 events."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from tests.events.conftest import build_full_event
from tests.factories import UserFactory, VenueFactory

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
    venues = [VenueFactory() for _ in range(5)]
    now = timezone.now()
    start = Event.objects.count()
    Event.objects.bulk_create(
        Event(
            group=group,
            title=f"Bulk {start + i}",
            slug=f"bulk-{start + i}",
            status="published",
            starts_at=now + timedelta(days=(i - count // 2) or 1, hours=i % 5),
            ends_at=now + timedelta(days=(i - count // 2) or 1, hours=i % 5 + 2),
            venue=venues[i % 5],
        )
        for i in range(count)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PINNED)
def test_query_count_constant_from_10_to_1000_events(client, group, page):
    event = build_full_event(starts_at=timezone.now() + timedelta(hours=1))
    url = event.get_absolute_url() if page == "detail" else page
    _add_events(group, 9)
    small = _queries(client, url)
    _add_events(group, 990)
    assert Event.objects.count() == 1000
    large = _queries(client, url)
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
