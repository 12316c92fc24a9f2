"""The event page on a phone: when, where, seats and the action, all without scrolling; and
the main pages pass axe-core, logged in and out, light and dark."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from events import services
from events.models import RSVP, Breakout
from photos.models import Album
from tests.browser import axe_violations, log_in
from tests.factories import EventFactory, SeriesFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _realistic_event():
    """The first group's first event: a long title, a summary, a venue, guests, breakouts."""
    event = EventFactory(
        title="How the City of New York is Supporting Cooperatives",
        summary=(
            "A conversation with the city's worker-cooperative program about what "
            "cooperatives need from a public partner."
        ),
        series=SeriesFactory(name="Monthly guest conversation"),
        venue=VenueFactory(name="The Commons Room", address="100 Example Street, 2nd floor"),
        starts_at=timezone.now() + timedelta(days=9),
        capacity=40,
        max_guests=1,
        rsvp_question="Anything we should know?",
        description="Each month we host a guest. " * 40,
    )
    for order in range(3):
        Breakout.objects.create(event=event, order=order, topic=f"Discussion {order}")
    return event


def _boxes_above_the_fold(page) -> dict[str, float]:
    """The bottom edge of each thing a member needs first, in CSS pixels from the top."""
    targets = {
        "title": "h1",
        "date and time": ".event-head .when",
        "venue": ".event-head .where",
        "seats": "#rsvp .stats li.seats",
        "action": ".action-bar :is(button, .button) >> nth=0",
    }
    bottoms = {}
    for name, selector in targets.items():
        box = page.locator(selector).first.bounding_box()
        assert box is not None, f"{name} is not shown"
        bottoms[name] = box["y"] + box["height"]
    return bottoms


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_event_page_essentials_fit_a_phone_screen(browser, live_server, member, password, scheme):
    """For a visitor, a member not going and a member going (each in their own browser)."""
    event = _realistic_event()
    misplaced = {}
    for who in ["visitor", "not going", "going"]:
        if who == "going":
            services.rsvp_set(event=event, member=member, going=True, guests=0, answer="")
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        page = context.new_page()
        page.emulate_media(color_scheme=scheme)
        if who != "visitor":
            log_in(page, member.email, password)
        page.goto(event.get_absolute_url())
        bottoms = _boxes_above_the_fold(page)
        context.close()
        below = {name: bottom for name, bottom in bottoms.items() if bottom > PHONE["height"]}
        if below:
            misplaced[who] = below
    assert misplaced == {}


PAGES = ["home", "events", "event", "my events", "album", "me"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("logged_in", [False, True], ids=["logged-out", "logged-in"])
def test_main_pages_have_no_axe_violations(page, group, member, password, logged_in, scheme):
    """Each of PAGES in one browser tab; every page's problems reported at once."""
    event = _realistic_event()
    album = Album.objects.create(group=group, event=event, title="Photos of the evening")
    paths = {
        "home": "/",
        "events": "/events/",
        "event": event.get_absolute_url(),
        "my events": "/me/events/",
        "album": album.get_absolute_url(),
        "me": "/me/",
    }
    page.emulate_media(color_scheme=scheme)
    if logged_in:
        services.rsvp_set(event=event, member=member, going=True, guests=0, answer="")
        log_in(page, member.email, password)
    problems = {}
    for name in PAGES:
        page.goto(paths[name])
        found = axe_violations(page) + page.console_errors
        page.console_errors.clear()
        if found:
            problems[name] = found
    assert problems == {}


def test_event_page_html_and_css_under_50_kb(client, group, member):
    event = _realistic_event()
    stylesheet = len(Path(finders.find("css/potluck.css")).read_bytes())
    visitor = len(client.get(event.get_absolute_url()).content)
    client.force_login(member)
    going = len(client.get(event.get_absolute_url()).content)
    assert max(visitor, going) + stylesheet <= 50 * 1024, (visitor, going, stylesheet)


def test_rsvp_form_saves_the_breakout_in_the_same_request(client, group, member):
    event = _realistic_event()
    chosen = Breakout.objects.get(event=event, topic="Discussion 1")
    client.force_login(member)
    response = client.post(
        f"/events/{event.slug}/rsvp/", {"going": "yes", "guests": "0", "breakout": chosen.pk}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"{event.get_absolute_url()}#rsvp",
    )
    assert list(RSVP.objects.filter(event=event).values_list("member", "breakout")) == [
        (member.pk, chosen.pk)
    ]
