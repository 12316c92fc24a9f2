"""The door check-in and "my events" pages in Chromium: accessible, usable on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import RSVP
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event(group):
    return EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=2))


def test_check_in_on_a_phone(browser, live_server, event, organizer, password):
    ada = UserFactory(display_name="Ada Lovelace")
    rsvp = services.rsvp_set(event=event, member=ada, going=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.requested_urls = []
    phone.on("request", lambda request: phone.requested_urls.append(request.url))
    log_in(phone, organizer.email, password)
    phone.goto(f"/events/{event.slug}/check-in/")
    assert axe_violations(phone) == []
    phone.get_by_label("Find a name").fill("ada")
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("button", name="Check in Ada Lovelace").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("status").first.inner_text() == "1 of 1 checked in"
    assert RSVP.objects.get(pk=rsvp.pk).checked_in_at is not None
    assert axe_violations(phone) == []
    assert third_party_requests(phone, live_server.url) == []
    context.close()


def test_my_events_page(page, live_server, event, password):
    me = UserFactory()
    services.rsvp_set(event=event, member=UserFactory(), going=True)
    services.rsvp_set(event=event, member=me, going=True)
    log_in(page, me.email, password)
    page.goto("/me/events/")
    assert page.get_by_text("#1 on the waitlist").is_visible()
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []
