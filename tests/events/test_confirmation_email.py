"""The "you're going" email says when (in the group's zone) and where, address included."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from events import services
from tests.factories import EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

# 22:30 UTC on a July evening is 6:30 pm in New York (EDT, UTC-4).
STARTS = datetime(2031, 7, 10, 22, 30, tzinfo=UTC)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _confirm(event, commit):
    with commit():
        services.rsvp_set(event=event, member=UserFactory(display_name="Ada"), going=True)
    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    return message.body, html


def test_confirmation_has_venue_address_and_local_time(group, commit):
    venue = VenueFactory(name="The Commons", address="388 Atlantic Ave", city="Brooklyn, NY")
    event = EventFactory(
        group=group,
        venue=venue,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        address_for_attendees_only=True,
    )
    body, html = _confirm(event, commit)
    lines = body.splitlines()
    assert lines[2] == "Thu, Jul 10, 2031 · 6:30–8:30 PM"  # another year: named
    assert lines[3] == "The Commons, 388 Atlantic Ave, Brooklyn, NY"
    assert '<time datetime="2031-07-10T18:30:00-04:00">' in html
    assert "<p><strong>The Commons</strong><br>388 Atlantic Ave, Brooklyn, NY</p>" in html
    assert "Online" not in body


def test_confirmation_for_an_online_event_has_the_link(group, commit):
    event = EventFactory(
        group=group,
        venue=None,
        is_online=True,
        online_url="https://meet.example.org/coop",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
    )
    body, html = _confirm(event, commit)
    assert body.splitlines()[3] == "Online https://meet.example.org/coop"
    assert '<a href="https://meet.example.org/coop">Join online</a>' in html


def test_confirmation_for_a_venue_and_online(group, commit):
    event = EventFactory(
        group=group,
        is_online=True,
        online_url="https://meet.example.org/coop",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
    )
    body, _html = _confirm(event, commit)
    assert body.splitlines()[3:5] == [
        f"{event.venue.name}, {event.venue.full_address}",
        "You can also join online. https://meet.example.org/coop",
    ]


def test_confirmation_without_a_place_yet(group, commit):
    event = EventFactory(group=group, venue=None, starts_at=STARTS)
    body, html = _confirm(event, commit)
    assert body.splitlines()[3] == "Place to be announced."
    assert "<p>Place to be announced.</p>" in html
