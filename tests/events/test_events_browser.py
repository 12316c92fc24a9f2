from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import EventSpeaker
from tests.browser import axe_violations, third_party_requests
from tests.events.conftest import build_full_event
from tests.factories import EventFactory, SeriesFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pages_data(group):
    series = SeriesFactory(group=group)
    event = build_full_event(starts_at=timezone.now() + timedelta(days=3), series=series)
    EventFactory(starts_at=timezone.now() - timedelta(days=40), series=series)
    EventFactory(starts_at=timezone.now() + timedelta(days=9), status="cancelled")
    EventFactory(starts_at=timezone.now() - timedelta(minutes=10))  # happening now
    speaker = EventSpeaker.objects.filter(event=event).first().speaker
    return {
        "detail": event.get_absolute_url(),
        "upcoming": "/events/",
        "past": "/events/past/",
        "speaker": speaker.get_absolute_url(),
        "series": series.get_absolute_url(),
        "home": "/",
    }


@pytest.mark.parametrize("name", ["detail", "upcoming", "past", "speaker", "series", "home"])
def test_events_pages_pass_axe(page, live_server, pages_data, name):
    page.goto(pages_data[name])
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_events_pages_in_dark_mode_pass_axe(page, live_server, pages_data):
    page.emulate_media(color_scheme="dark")
    page.goto(pages_data["detail"])
    assert axe_violations(page) == []


def test_admin_event_form_runs_under_the_csp(page, live_server, organizer, password, pages_data):
    from tests.browser import log_in

    log_in(page, organizer.email, password)
    page.goto("/admin/events/event/add/")
    assert page.get_by_role("heading", name="Add event").is_visible()
    # Inline formsets' "Add another" buttons are built by the admin's scripts.
    assert page.get_by_text("Add another Program item").is_visible()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
