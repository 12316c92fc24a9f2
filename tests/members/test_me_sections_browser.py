"""/me/ in short sections (issue 26 item 8), in Chromium on a phone, in English and Spanish:
each section under one nav that marks it, one primary button, nothing wider than the screen,
axe-core finds nothing; "Delete my account" in the danger colour, unlike "Download my data";
the evenings the member hosts on "My events" with their host tools as buttons."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}
# path -> the section's name in the nav, in English and in Spanish
SECTIONS = {
    "/me/": ("Profile", "Perfil"),
    "/me/notifications/": ("Emails", "Correos"),
    "/me/calendar/": ("Calendar", "Calendario"),
    "/me/security/": ("Sign-in and security", "Acceso y seguridad"),
    "/me/data/": ("Your data", "Tus datos"),
}
PRIMARY = (
    "main button:not(.secondary):not(.quiet):not(.link-button):not(.danger), "
    "main a.button:not(.secondary):not(.quiet):not(.danger)"
)


def test_me_sections_on_a_phone_in_both_languages(open_tab, live_server, group, password):
    member = MembershipFactory(group=group, user=UserFactory(display_name="Ada")).user
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    event.hosts.add(member)
    page = open_tab(**PHONE)
    log_in(page, member.email, password)
    for index, language in enumerate(["en", "es"]):
        member.language = language
        member.save(update_fields=["language"])
        for path, names in SECTIONS.items():
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            nav = page.locator("nav.me-nav")
            expect(nav.locator('[aria-current="page"]')).to_have_text(names[index])
            assert page.locator(PRIMARY).count() == 1, (language, path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, (language, path)
            assert axe_violations(page) == [], (language, path)

        page.goto("/me/data/")
        download = page.locator('form[action="/me/export/"] button')
        delete = page.locator('a.button.danger[href="/me/delete/"]')
        expect(delete).to_be_visible()

        def background(locator):
            return locator.evaluate("element => getComputedStyle(element).backgroundColor")

        assert background(delete) != background(download)

        page.goto("/me/events/")
        tools = page.locator(".host-tools a.button")
        expect(tools).to_have_count(3)
        assert [tools.nth(i).get_attribute("href") for i in range(3)] == [
            f"/events/{event.slug}/attendees/",
            f"/events/{event.slug}/check-in/",
            f"/events/{event.slug}/message/",
        ]
        for i in range(3):
            box = tools.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390
            assert box["height"] >= 44  # tap-sized
        assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []
