"""Cancelled means cancelled everywhere: the event page, My events, feeds, home and lists."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import EventStatus
from tests.factories import EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def cancelled(group, organizer):
    event = EventFactory(
        group=group,
        title="Called-off night",
        starts_at=timezone.now() + timedelta(days=2),
        capacity=30,
    )
    member = MembershipFactory(group=group).user
    services.rsvp_set(event=event, member=member, going=True)
    services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    event.refresh_from_db()
    return event, member


def test_event_page_has_a_banner_and_nothing_to_do(client, cancelled):
    event, member = cancelled
    client.force_login(member)
    page = _text(client.get(event.get_absolute_url()))
    assert "This event has been cancelled." in page
    for gone in (
        "seats left",
        "member going",
        "I&#x27;m going",
        "Add to calendar",
        "calendar.ics",
        member.display_name + "</li>",
        "Can&#x27;t make it",
    ):
        assert gone not in page, gone


def test_my_events_marks_it_cancelled(client, cancelled):
    event, member = cancelled
    client.force_login(member)
    response = client.get("/me/events/")
    assert [r.event for r in response.context["upcoming"]] == []
    assert [r.event for r in response.context["cancelled"]] == [event]
    assert 'id="mine-cancelled"' in response.content.decode()


def test_feeds_say_cancelled_until_the_date_passes(client, cancelled):
    event, member = cancelled
    for url in (
        "/calendar.ics",
        f"/events/{event.slug}/calendar.ics",
        f"/calendar/{member.calendar_token}.ics",
    ):
        vevents = Calendar.from_ical(client.get(url).content).walk("VEVENT")
        assert [(str(v["summary"]), str(v["status"])) for v in vevents] == [
            ("Called-off night", "CANCELLED")
        ], url


@pytest.mark.parametrize("url", ["/", "/events/"])
def test_home_and_lists_mark_it(client, cancelled, url):
    page = _text(client.get(url))
    assert "Called-off night" in page
    assert '<span class="badge danger">Cancelled</span>' in page
