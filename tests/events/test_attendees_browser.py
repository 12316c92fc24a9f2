"""The hosts' attendee page in Chromium: accessible, and flat in queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import RSVP, RSVPStatus
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event(group):
    return EventFactory(
        group=group,
        capacity=1,
        rsvp_question="What brings you?",
        starts_at=timezone.now() + timedelta(days=2),
    )


def test_a_host_adds_and_moves_people(page, live_server, event, password):
    host = MembershipFactory(group=event.group, user=UserFactory(display_name="Ada")).user
    event.hosts.add(host)
    ann = MembershipFactory(group=event.group, user=UserFactory(display_name="Ann")).user
    services.rsvp_set(event=event, member=ann, going=True, answer="Curiosity")
    MembershipFactory(group=event.group, user=UserFactory(display_name="Bea"))
    log_in(page, host.email, password)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Attendees").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="Curiosity").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Member", exact=True).select_option(label="Bea")
    page.get_by_label("Raise the capacity so they have a seat").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "Bea is going now and gets an email about it. The capacity was raised by 1 seat, to 2, "
        "to make room."
    ).is_visible()
    page.get_by_label("Move Ann to").select_option(label="Not going")
    page.get_by_role("button", name="Move Ann").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ann is not going now and gets an email about it.").is_visible()
    assert axe_violations(page) == []
    assert RSVP.objects.get(event=event, member=ann).status == RSVPStatus.NOT_GOING
    assert third_party_requests(page, live_server.url) == []


@pytest.mark.django_db
def test_attendee_page_queries_do_not_grow(client, event):
    host = MembershipFactory(group=event.group).user
    event.hosts.add(host)
    client.force_login(host)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/events/{event.slug}/attendees/").status_code == 200
        return len(captured)

    small = queries()
    event.capacity = None
    event.save()
    for _ in range(40):
        services.rsvp_set(event=event, member=MembershipFactory(group=event.group).user, going=True)
    # session, user, group, event, viewer, hosts, RSVPs, members not going,
    # stats.
    assert (small, queries()) == (9, 9)
