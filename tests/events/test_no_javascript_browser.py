"""Every page works with JavaScript off: on a phone the header menu opens and navigates, and a
member logs in and RSVPs (choosing a breakout) with plain form posts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import RSVP, Breakout, RSVPStatus
from tests.browser import log_in
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.requested_scripts = []
    page.on(
        "request",
        lambda request: (
            page.requested_scripts.append(request.url)
            if request.resource_type == "script"
            else None
        ),
    )
    yield page
    context.close()


def test_header_menu_opens_and_navigates_without_javascript(no_js_page, group, live_server):
    page = no_js_page
    page.goto("/")
    menu = page.locator("details.menu")
    events_link = menu.get_by_role("link", name="Events", exact=True)
    expect(events_link).to_be_hidden()
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    expect(events_link).to_be_visible()
    events_link.click()
    expect(page).to_have_url(f"{live_server.url}/events/")
    expect(page.locator("h1")).to_have_text("Upcoming events")
    assert page.requested_scripts == []


def test_member_rsvps_with_a_breakout_without_javascript(
    no_js_page, live_server, group, member, password
):
    event = EventFactory(starts_at=timezone.now() + timedelta(days=9), capacity=40)
    for order in range(2):
        Breakout.objects.create(event=event, order=order, topic=f"Discussion {order}")
    chosen = Breakout.objects.get(event=event, topic="Discussion 1")
    page = no_js_page
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    rsvp = page.locator("#rsvp")
    rsvp.get_by_label("Breakout discussion").select_option(label="Discussion 1")
    rsvp.get_by_role("button", name="I'm going").click()

    expect(page).to_have_url(f"{live_server.url}{event.get_absolute_url()}#rsvp")
    expect(rsvp.locator(".my-state")).to_have_text("You're going.")
    rsvp.get_by_text("Change my answer", exact=True).click()  # a <details>: no script needed
    expect(rsvp.get_by_role("button", name="I can't go any more")).to_be_visible()
    assert list(RSVP.objects.filter(event=event).values_list("member", "status", "breakout")) == [
        (member.pk, RSVPStatus.GOING, chosen.pk)
    ]
    assert page.requested_scripts == []
