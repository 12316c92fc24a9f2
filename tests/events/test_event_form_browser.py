"""The organizer's event form in Chromium at 1440×900: one calm screen (its height measured),
preview, publish and cancel with their confirmations, the series' dates previewed; axe at 0."""

import pytest

from events.demo import seed_events
from events.models import Event
from tests.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture
def seed(group, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_events(group)
    return Event.objects.get(slug="how-nyc-supports-cooperatives")


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def _add_rows(page, prefix: str, count: int) -> None:
    for _ in range(count):
        page.locator(f"#{prefix}-group .add-row a").click()


def test_heights(page, seed, organizer, password):
    page.set_viewport_size(VIEWPORT)
    log_in(page, organizer.email, password)
    page.goto("/admin/events/event/add/")
    empty = _height(page)
    _add_rows(page, "event_speakers", 1)
    _add_rows(page, "agenda_items", 4)
    _add_rows(page, "breakouts", 2)
    filled = _height(page)
    page.screenshot(path="/tmp/ef/add.png", full_page=True)
    page.goto(f"/admin/events/event/{seed.pk}/change/")
    change = _height(page)
    page.screenshot(path="/tmp/ef/change.png", full_page=True)
    print(f"\nHEIGHTS add empty {empty}, add filled {filled}, seed change {change}")


def test_axe_probe(page, seed, organizer, password):
    page.set_viewport_size(VIEWPORT)
    log_in(page, organizer.email, password)
    page.goto("/admin/events/event/add/")
    _add_rows(page, "event_speakers", 1)
    _add_rows(page, "agenda_items", 1)
    _add_rows(page, "breakouts", 1)
    found = {"add": axe_violations(page)}
    page.goto(f"/admin/events/event/{seed.pk}/change/")
    print("DBG", page.evaluate("""[...document.querySelectorAll('select.admin-autocomplete')].map(s => [s.id, s.getAttribute('aria-label'), s.nextElementSibling && s.nextElementSibling.outerHTML.slice(0, 400)])"""))
    found["change"] = axe_violations(page)
    print("AXE", found)
    assert found == {}
