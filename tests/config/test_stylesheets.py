"""The two stylesheets: potluck.css on every page, pages.css on every page but an upcoming
event's, which keeps that page within its budget (HTML and CSS under 50 KB,
tests/events/test_event_page_phone_browser.py). Nothing in pages.css may be a rule the event
page needs: each of its selectors names a class that page, as any role sees it, never uses."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from events import services
from groups.models import Role
from tests.events.conftest import build_full_event
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

POTLUCK = '<link rel="stylesheet" href="/static/css/potluck.css">'
PAGES = '<link rel="stylesheet" href="/static/css/pages.css">'


def _selectors(css: str) -> list[str]:
    """Every selector of the stylesheet, those inside @media blocks too."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@(media|supports)[^{]*\{", "", css)
    return [
        selector.strip()
        for block in re.findall(r"([^{}]+)\{[^{}]*\}", css)
        for selector in block.split(",")
        if selector.strip()
    ]


def _classes(html: str) -> set[str]:
    return {name for value in re.findall(r'class="([^"]*)"', html) for name in value.split()}


def _event_page_as_everyone(client, group, member) -> list[str]:
    """The upcoming event's page for a visitor, a signed-in non-member, a member, a member
    going and the event's host."""
    event = build_full_event()
    pages = [client.get(event.get_absolute_url()).content.decode()]
    outsider = MembershipFactory(group=group, role=Role.MEMBER).user
    outsider.memberships.all().delete()
    host = MembershipFactory(group=group, role=Role.MEMBER).user
    event.hosts.add(host)
    for person in (outsider, member, None, host):
        if person is None:  # the member again, now going
            services.rsvp_set(event=event, member=member, going=True, guests=0, answer="")
            person = member
        client.force_login(person)
        pages.append(client.get(event.get_absolute_url()).content.decode())
    return pages


def test_the_event_page_loads_potluck_css_alone_and_other_pages_both(client, group, member):
    for html in _event_page_as_everyone(client, group, member):
        assert POTLUCK in html
        assert PAGES not in html
    for path in ("/", "/events/", "/photos/"):
        html = client.get(path).content.decode()
        assert POTLUCK in html
        assert PAGES in html


def test_no_rule_of_pages_css_matches_what_the_event_page_uses(client, group, member):
    used = set().union(*(_classes(html) for html in _event_page_as_everyone(client, group, member)))
    css = Path(finders.find("css/pages.css")).read_text()
    needed = [
        selector
        for selector in _selectors(css)
        if (names := re.findall(r"\.([a-zA-Z][\w-]*)", selector)) and set(names) <= used
    ]
    assert needed == [], f"the event page uses these, so they belong in potluck.css: {needed}"


def test_every_selector_of_pages_css_names_a_class():
    """A rule without a class (an element, :root) could match any page: it stays in
    potluck.css."""
    css = Path(finders.find("css/pages.css")).read_text()
    assert [s for s in _selectors(css) if "." not in s] == []
    assert settings.STATIC_URL == "/static/"
