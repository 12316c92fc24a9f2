"""Joining from an event in a real Chromium: sign up, type the emailed code, back at the event."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from groups.models import Membership
from tests.browser import axe_violations, third_party_requests
from tests.factories import PASSWORD, EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_join_from_an_event_with_the_code(page, live_server, group):
    event = EventFactory(group=group)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="or join the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {group.name}")
    assert axe_violations(page) == []

    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name=f"Join {group.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert axe_violations(page) == []

    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", mail.outbox[0].body).group(0)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name=f"Join {group.name}").click()
    # Back on the event, asked to confirm the "I'm going" they came for (a POST, not the GET).
    expect(page).to_have_url(f"{live_server.url}{event.get_absolute_url()}?rsvp=yes")
    expect(page.get_by_text("Welcome back! Confirm that you're going.")).to_be_visible()
    page.get_by_role("button", name="I'm going").click()
    expect(page.locator("#rsvp .my-state")).to_have_text("You're going.")
    assert Membership.objects.filter(group=group, user__email="ada@example.org").exists()
    assert third_party_requests(page, live_server.url) == []
