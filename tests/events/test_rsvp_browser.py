from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import RSVP, RSVPStatus
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upcoming_event(**kwargs):
    return EventFactory(starts_at=timezone.now() + timedelta(days=5), **kwargs)


def _seats_left(page):
    return page.locator("#rsvp .stats li").filter(has_text="left")


def _recorded_page(context):
    """A tab in another context that records what _page_ in conftest records."""
    tab = context.new_page()
    tab.requested_urls = []
    tab.console_errors = []
    tab.on("request", lambda request: tab.requested_urls.append(request.url))
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    return tab


def test_rsvp_going_with_a_guest_updates_state_and_seats(page, live_server, member, password):
    event = _upcoming_event(capacity=3, max_guests=2)
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    expect(_seats_left(page)).to_have_text("3 seats left")
    expect(page.locator("#rsvp .my-state")).to_have_count(0)
    assert axe_violations(page) == []

    page.get_by_label("Guests").fill("1")
    page.get_by_role("button", name="I'm going").click()

    expect(page.locator("#rsvp .my-state")).to_have_text("You're going with 1 guest.")
    expect(_seats_left(page)).to_have_text("1 seat left")
    # The calm card: "I can't go any more" waits behind "Change my answer".
    assert not page.get_by_role("button", name="I can't go any more").is_visible()
    page.get_by_text("Change my answer", exact=True).click()
    assert page.get_by_role("button", name="I can't go any more").is_visible()
    rsvp = RSVP.objects.get(event=event, member=member)
    assert (rsvp.status, rsvp.guests) == (RSVPStatus.GOING, 1)
    # axe runs on the page as it lands, flash message included.
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_rsvp_waitlist_promotion_when_seat_holder_cancels(
    browser, page, live_server, group, member, password
):
    event = _upcoming_event(capacity=1)
    holder = MembershipFactory(group=group).user
    services.rsvp_set(event=event, member=holder, going=True)

    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    expect(_seats_left(page)).to_have_text("0 seats left")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#rsvp .my-state")).to_have_text("You're #1 on the waitlist.")
    assert axe_violations(page) == []

    other = browser.new_context(base_url=live_server.url)
    try:
        holder_page = _recorded_page(other)
        log_in(holder_page, holder.email, password)
        holder_page.goto(event.get_absolute_url())
        expect(holder_page.locator("#rsvp .my-state")).to_have_text("You're going.")
        holder_page.get_by_text("Change my answer", exact=True).click()
        holder_page.get_by_role("button", name="I can't go any more").click()
        expect(holder_page.locator("#rsvp .my-state")).to_have_text("You said you can't come.")
        assert third_party_requests(holder_page, live_server.url) == []
        assert holder_page.console_errors == []
    finally:
        other.close()

    page.reload()
    expect(page.locator("#rsvp .my-state")).to_have_text("You're going.")
    expect(_seats_left(page)).to_have_text("0 seats left")
    assert RSVP.objects.get(event=event, member=member).status == RSVPStatus.GOING
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_rsvp_anonymous_sees_log_in_link_and_no_form(page, live_server, group):
    event = _upcoming_event(capacity=3, max_guests=2)
    page.goto(event.get_absolute_url())
    link = page.get_by_role("link", name="Log in to RSVP")
    # Back to the event after logging in, with "I'm going" to confirm there (by POST).
    expect(link).to_have_attribute(
        "href", f"/accounts/login/?next={event.get_absolute_url()}%3Frsvp%3Dyes"
    )
    expect(page.locator("#rsvp form")).to_have_count(0)
    expect(page.get_by_role("button", name="I'm going")).to_have_count(0)
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_rsvp_flash_message_passes_axe(page, live_server, member, password):
    event = _upcoming_event(capacity=3)
    log_in(page, member.email, password)
    page.goto(event.get_absolute_url())
    page.get_by_role("button", name="I'm going").click()
    # The going card says "You're going."; the flash does not say it again.
    expect(page.locator(".messages")).to_have_text("See you there!")
    assert axe_violations(page) == []
