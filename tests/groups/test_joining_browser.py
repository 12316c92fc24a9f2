"""Asking to join in a real Chromium: the join page, approval in the admin, then an RSVP."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from events.models import RSVP, RSVPStatus
from groups.models import JoinQuestion
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_approve_in_the_admin_then_rsvp(open_tab, live_server, group, organizer, password):
    group.join_needs_approval = True
    group.save()
    JoinQuestion.objects.create(group=group, text="Why do you want to join?")
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=3), capacity=10)
    ada = UserFactory(display_name="Ada")

    person = open_tab()  # closed when the test ends, before the live server stops
    log_in(person, ada.email, password)
    person.goto("/")
    person.get_by_role("link", name="Join the group").click()
    expect(person.get_by_role("heading", level=1)).to_have_text(f"Join {group.name}")
    assert axe_violations(person) == []
    person.get_by_label("Why do you want to join?").fill("To start a co-op")
    person.get_by_role("button", name="Ask to join").click()
    expect(person.get_by_text("Your request to join is waiting for an organizer.")).to_be_visible()
    assert axe_violations(person) == []

    admin = open_tab()
    log_in(admin, organizer.email, password)
    admin.goto("/")
    admin.get_by_role("link", name="1 join request waiting").click()
    expect(admin.get_by_text("Waiting for approval").first).to_be_visible()
    admin.get_by_role("checkbox", name="Select this object for an action - Ada").check()
    admin.get_by_role("combobox", name="Action").select_option(
        label="Approve selected requests to join"
    )
    admin.get_by_role("button", name="Run").click()
    expect(admin.get_by_text("To start a co-op")).to_be_visible()
    assert axe_violations(admin) == []
    admin.get_by_label("Message or reason").fill("Welcome, Ada!")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.get_by_text("Done: 1.")).to_be_visible()
    assert "Welcome, Ada!" in mail.outbox[-1].body

    person.goto(event.get_absolute_url())
    person.get_by_role("button", name="I'm going").click()
    expect(person.locator("#rsvp .my-state")).to_have_text("You're going.")
    assert RSVP.objects.get(event=event, member=ada).status == RSVPStatus.GOING
    assert third_party_requests(person, live_server.url) == []
