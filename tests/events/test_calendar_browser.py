"""The subscribe page and the account page's feed section in Chromium, with axe."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_subscribe_page_passes_axe(page, live_server, group):
    EventFactory()
    page.goto("/calendar/")
    assert page.get_by_role("link", name="Subscribe in your calendar app").first.is_visible()
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_account_page_with_feed_passes_axe(page, live_server, group, password):
    member = UserFactory()
    log_in(page, member.email, password)
    page.goto("/me/calendar/")
    old = member.calendar_token
    assert page.get_by_label("Or copy the address").input_value().endswith(f"/{old}.ics")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Change the address (the old one stops working)").click()
    page.wait_for_load_state()
    member.refresh_from_db()
    assert member.calendar_token != old
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []


@pytest.mark.django_db
def test_subscribe_page_query_count_does_not_grow(client, group):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/calendar/").status_code == 200
        return len(captured)

    EventFactory()
    small = queries()
    for _ in range(20):
        EventFactory()
    assert small == queries() == 1  # the group
