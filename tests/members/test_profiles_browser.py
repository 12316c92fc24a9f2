"""A profile and the directory in Chromium: axe finds nothing, nothing scrolls sideways, on
phones (320 and 390 px) and a desktop, in English and Spanish."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import RSVP, RSVPStatus
from tests.browser import axe_violations, log_in
from tests.factories import BreakoutFactory, EventFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The narrowest phone too: the directory's cards and the profile fit without sideways scrolling.
VIEWPORTS = [
    {"width": 320, "height": 640},
    {"width": 390, "height": 844},
    {"width": 1440, "height": 900},
]
# The page's own words in each language: the profile's facts and the directory's heading.
WORDS = {
    "en": ("Evenings attended", "Members"),
    "es": ("Veladas a las que fue", "Miembros"),
}


def test_profile_and_directory_pass_axe_on_phone_and_desktop_in_both_languages(
    page, live_server, group, password
):
    viewer = MembershipFactory(group=group, user__display_name="Ada Lovelace").user
    zoe = MembershipFactory(
        group=group,
        user__display_name="Zoë Example-Longname",
        user__pronouns="she/her",
        user__city="Queens, New York",
        user__bio="Fixes bikes and talks about cooperatives at length.",
        user__links="Blog https://zoe.example.org/blog\nhttps://social.example/@zoe",
    ).user
    for _ in range(7):
        MembershipFactory(group=group, user__city="Bronx", user__pronouns="they/them")
    starts = timezone.now() - timedelta(days=10)
    event = EventFactory(group=group, starts_at=starts, ends_at=starts + timedelta(hours=2))
    RSVP.objects.create(event=event, member=zoe, status=RSVPStatus.GOING)
    BreakoutFactory(event=event, facilitator=zoe)
    log_in(page, viewer.email, password)

    for language, (fact, heading) in WORDS.items():
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            for path, words in (
                (f"/members/{zoe.pk}/", fact),
                ("/members/", heading),
                (f"/members/{viewer.pk}/", None),  # the viewer's own, empty profile
            ):
                page.goto(path)
                where = (language, viewport["width"], path)
                assert page.locator("html").get_attribute("lang") == language, where
                if words:
                    assert words in page.locator("main").inner_text(), where
                assert axe_violations(page) == [], where
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"], where
