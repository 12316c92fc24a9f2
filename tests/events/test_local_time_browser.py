"""A visitor's own time beside an online or hybrid event's, added by static/js/localtime.js in
their browser (pages are cached and shared, so the server cannot know where they are)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import axe_violations, third_party_requests
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NY = ZoneInfo("America/New_York")
# 7 to 9 PM in New York (EST) is 1 to 3 AM the next day in Madrid (CET).
STARTS = datetime(2027, 1, 13, 19, 0, tzinfo=NY)
# Intl separates times with thin and narrow no-break spaces in some versions: \s takes them.
MADRID_TEXT = re.compile(r"^ · Thu, Jan 14, 1:00\s?–\s?3:00\sAM your time$")


@pytest.fixture
def online(group):
    return EventFactory(
        group=group,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        is_online=True,
        online_url="https://meet.example/coop",
        venue=None,
    )


@pytest.fixture
def in_person(group):
    return EventFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=2))


# The year is named while 2027 is still to come.
GROUP_TEXT = re.compile(r"^Wed, Jan 13(, 2027)? · 7:00–9:00 PM$")


def _when(tab):
    return tab.locator(".fact-main.when time")


def test_the_visitors_time_is_added_on_an_online_event(open_tab, live_server, online):
    tab = open_tab(timezone_id="Europe/Madrid")
    tab.goto(online.get_absolute_url())
    added = _when(tab).locator(".local-time")
    expect(added).to_have_count(1)
    assert MADRID_TEXT.match(added.text_content()), added.text_content()
    assert _when(tab).get_attribute("datetime") == "2027-01-13T19:00:00-05:00"
    assert axe_violations(tab) == []
    assert third_party_requests(tab, live_server.url) == []
    assert tab.console_errors == []


def test_the_visitors_time_in_spanish(open_tab, live_server, online):
    tab = open_tab(timezone_id="Asia/Kolkata")
    tab.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    tab.goto(online.get_absolute_url())
    added = _when(tab).locator(".local-time")
    expect(added).to_have_count(1)
    # 7 PM EST is 5:30 AM the next day in Kolkata.
    assert re.match(r"^ · jue, 14 ene, 5:30\s?–\s?7:30 en tu zona horaria$", added.text_content())


def test_nothing_is_added_where_the_clock_is_the_groups(open_tab, online):
    tab = open_tab(timezone_id="America/Toronto")
    tab.goto(online.get_absolute_url())
    tab.wait_for_load_state("load")
    expect(_when(tab)).to_have_text(GROUP_TEXT)
    assert tab.locator(".local-time").count() == 0


def test_nothing_is_added_on_an_in_person_event(open_tab, in_person):
    tab = open_tab(timezone_id="Europe/Madrid")
    tab.goto(in_person.get_absolute_url())
    tab.wait_for_load_state("load")
    expect(_when(tab)).to_have_text(GROUP_TEXT)
    assert tab.locator(".local-time").count() == 0


def test_nothing_changes_without_javascript(open_tab, online):
    tab = open_tab(timezone_id="Europe/Madrid", java_script_enabled=False)
    tab.goto(online.get_absolute_url())
    expect(_when(tab)).to_have_text(GROUP_TEXT)
    assert tab.locator(".local-time").count() == 0


def test_the_listing_adds_it_to_each_online_card(open_tab, live_server, group, online, in_person):
    tab = open_tab(timezone_id="Europe/Madrid")
    tab.goto("/events/" if online.starts_at > timezone.now() else "/events/past/")
    cards = tab.locator(".event-card")
    expect(cards.locator(".local-time")).to_have_count(1)
    online_card = cards.filter(has_text=online.title)
    assert MADRID_TEXT.match(online_card.locator(".local-time").text_content())
    assert axe_violations(tab) == []
