"""The 404 and 403 pages in a real Chromium: the site's header, a next step, axe-clean."""

import pytest
from playwright.sync_api import expect

from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_404_page_passes_axe_and_leads_on(page, live_server, group):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    expect(page.get_by_role("banner")).to_contain_text(group.name)
    assert axe_violations(page) == []
    page.get_by_role("link", name="See upcoming events").click()
    expect(page).to_have_url(f"{live_server.url}/events/")
    assert third_party_requests(page, live_server.url) == []


def test_403_page_passes_axe(page, live_server, group, password):
    event = EventFactory(group=group)
    member = MembershipFactory(group=group).user
    log_in(page, member.email, password)
    response = page.goto(f"/events/{event.slug}/check-in/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't open this page")
    expect(page.get_by_role("banner")).to_contain_text(group.name)
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
