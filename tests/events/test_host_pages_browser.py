"""Pages for the event's hosts, the members-only notice and a cancelled event, in Chromium."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import EventStatus
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event(group):
    return EventFactory(group=group, starts_at=timezone.now() + timedelta(days=2))


def test_a_host_messages_the_people_going(page, live_server, event, password):
    host = MembershipFactory(group=event.group).user
    event.hosts.add(host)
    services.rsvp_set(event=event, member=UserFactory(), going=True)
    log_in(page, host.email, password)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Message the people going").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send").click()  # empty: errors next to the fields
    page.wait_for_load_state()
    assert page.get_by_text("This field is required.").count() == 2
    assert axe_violations(page) == []
    page.get_by_label("Subject").fill("Doors at 6:30")
    page.get_by_label("Message").fill("Bring a friend.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your message is on its way to 1 member going.").is_visible()
    assert third_party_requests(page, live_server.url) == []


def test_members_only_notice_for_an_account_that_never_joined(page, live_server, group, password):
    outsider = UserFactory()
    log_in(page, outsider.email, password)
    response = page.goto("/members/")
    assert response.status == 403
    assert page.get_by_role("heading", name="For members of the group").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Join the group").click()
    page.wait_for_load_state()
    assert page.goto("/members/").status == 200
    assert third_party_requests(page, live_server.url) == []


def test_cancelled_event_page(page, live_server, event, organizer, password):
    services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    page.goto(event.get_absolute_url())
    assert page.get_by_text("This event has been cancelled.").is_visible()
    assert page.get_by_role("button", name="I'm going").count() == 0
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []


@pytest.mark.django_db
def test_message_and_notice_queries_do_not_grow(client, event):
    host = MembershipFactory(group=event.group).user
    event.hosts.add(host)
    outsider = UserFactory()

    def queries(user, url, status):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == status
        return len(captured)

    def measure():
        return (
            queries(host, f"/events/{event.slug}/message/", 200),
            queries(outsider, "/members/", 403),
        )

    small = measure()
    for _ in range(40):
        services.rsvp_set(event=event, member=MembershipFactory(group=event.group).user, going=True)
    large = measure()
    # message: session, user, group, event, viewer, hosts, going count;
    # notice: session, user, group, viewer.
    assert small == large == (7, 4)
