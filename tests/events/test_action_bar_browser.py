"""The event page's action bar on phones (issue 26): at 320×640 and 390×844, in English and
Spanish, for each of visitor / signed-in non-member / member not going / member going / host,
every control of the bar stays inside the screen and axe-core finds nothing; and each role's
one action leads somewhere: the visitor back to the event after logging in, the non-member
joined and going (or on the join questions with the event kept), the going member to a calm
card whose form opens behind "Change my answer"."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events import services
from events.models import RSVP, Breakout, RSVPStatus
from groups.models import Membership, MembershipStatus
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [(320, 640), (390, 844)]
LANGUAGES = ["en", "es"]


def _event(**kwargs):
    """Long title, seats left (the Spanish "Quedan 40 lugares"), guests, a question, breakouts."""
    event = EventFactory(
        title="How the City of New York is Supporting Cooperatives",
        venue=VenueFactory(address="100 Example Street, 2nd floor"),
        starts_at=timezone.now() + timedelta(days=9),
        capacity=40,
        max_guests=1,
        rsvp_question="Anything we should know?",
        **kwargs,
    )
    for order in range(2):
        Breakout.objects.create(event=event, order=order, topic=f"Discussion {order}")
    return event


def _bar_fits_everywhere(page, url: str) -> None:
    """Each viewport × language: the bar's buttons and links inside the screen, axe at 0."""
    problems, violations = [], []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        for language in LANGUAGES:
            page.goto(f"{url}?lang={language}")
            controls = page.locator(".action-bar :is(a, button)")
            if controls.count() == 0:
                problems.append((width, language, "no action in the bar"))
            for index in range(controls.count()):
                control = controls.nth(index)
                box = control.bounding_box()
                label = control.inner_text()
                if box is None:
                    problems.append((width, language, label, "not shown"))
                elif box["x"] < 0 or box["x"] + box["width"] > width:
                    problems.append((width, language, label, box["x"], box["width"]))
                elif box["y"] < 0 or box["y"] + box["height"] > height:
                    problems.append((width, language, label, "below the screen", box["y"]))
            violations += [(width, language, v) for v in axe_violations(page)]
    assert problems == []
    assert violations == []
    assert page.console_errors == []


def test_action_bar_visitor_and_the_way_back_after_logging_in(
    page, live_server, group, member, password
):
    event = _event()
    _bar_fits_everywhere(page, event.get_absolute_url())

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Log in to RSVP").click()
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    assert urlsplit(page.url)[2:4] == (event.get_absolute_url(), "rsvp=yes")
    expect(page.get_by_text("Welcome back! Confirm that you're going.")).to_be_visible()
    assert not RSVP.objects.filter(event=event).exists()  # coming back answered nothing
    page.get_by_role("button", name="I'm going").click()
    expect(page.locator("#rsvp .my-state")).to_have_text("You're going.")
    assert RSVP.objects.get(event=event, member=member).status == RSVPStatus.GOING
    assert third_party_requests(page, live_server.url) == []


def test_action_bar_signed_in_non_member_joins_and_goes_or_asks(page, live_server, group, password):
    event = _event()
    stranger = UserFactory(display_name="Ada")
    log_in(page, stranger.email, password)
    _bar_fits_everywhere(page, event.get_absolute_url())

    # Joining is open: one press joins the group and says "going".
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(event.get_absolute_url())
    expect(page.get_by_role("button", name="I'm going")).to_have_count(0)
    page.get_by_role("button", name="Join and go").click()
    expect(page.locator("#rsvp .my-state")).to_have_text("You're going.")
    assert list(Membership.objects.filter(user=stranger).values_list("status", flat=True)) == [
        MembershipStatus.ACTIVE
    ]
    assert RSVP.objects.get(event=event, member=stranger).status == RSVPStatus.GOING

    # Joining needs approval: "Ask to join" opens the join questions, then the event again.
    group.join_needs_approval = True
    group.save()
    other_event = _event()
    grace = UserFactory(display_name="Grace")
    page.context.clear_cookies()
    log_in(page, grace.email, password)
    page.goto(f"{other_event.get_absolute_url()}?lang=es")
    bar = page.locator(".action-bar :is(a, button)")
    expect(bar).to_have_count(1)
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    page.goto(other_event.get_absolute_url())
    page.get_by_role("link", name="Ask to join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {group.name}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ask to join").click()
    assert urlsplit(page.url).path == other_event.get_absolute_url()
    expect(page.get_by_text("Your request to join is waiting for an organizer;")).to_be_visible()
    assert list(Membership.objects.filter(user=grace).values_list("status", flat=True)) == [
        MembershipStatus.PENDING
    ]
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []


def test_action_bar_member_not_going(page, group, member, password):
    event = _event()
    log_in(page, member.email, password)
    _bar_fits_everywhere(page, event.get_absolute_url())


def test_action_bar_member_going_sees_a_calm_card(page, group, member, password):
    event = _event()
    services.rsvp_set(event=event, member=member, going=True)
    log_in(page, member.email, password)
    _bar_fits_everywhere(page, event.get_absolute_url())

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(event.get_absolute_url())
    expect(page.locator("#rsvp .my-state")).to_have_text("You're going.")
    expect(page.locator("select[name=breakout]")).to_have_count(1)
    breakout = page.get_by_label("Breakout discussion", exact=True)
    expect(breakout).to_be_hidden()  # behind the <details>
    page.get_by_text("Change my answer", exact=True).click()
    page.get_by_label("Breakout discussion", exact=True).select_option(label="Discussion 1")
    page.get_by_role("button", name="Save my answer").click()
    expect(page.locator(".messages")).to_have_text("Your answer is saved.")
    expect(page.get_by_text("You're going.")).to_have_count(1)
    expect(page.get_by_text("Your breakout: Discussion 1")).to_be_visible()
    assert axe_violations(page) == []


def test_action_bar_host(page, group, password):
    host = MembershipFactory(group=group).user
    event = _event()
    event.hosts.add(host)
    log_in(page, host.email, password)
    _bar_fits_everywhere(page, event.get_absolute_url())
