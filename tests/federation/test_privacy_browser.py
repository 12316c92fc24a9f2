"""The privacy page's "Beyond this site" section in Chromium, in English and Spanish: axe-core
finds nothing, and no request leaves the site."""

import pytest
from playwright.sync_api import expect

from federation.services import actor_get
from tests.browser import axe_violations, third_party_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "heading", "start"),
    [
        ("en", "Beyond this site", "This group can be followed from the fediverse"),
        ("es", "Más allá de este sitio", "Este grupo se puede seguir desde el fediverso"),
    ],
)
def test_privacy_page_names_what_federation_sends(
    page, live_server, group, language, heading, start
):
    actor = actor_get(group=group)
    actor.enabled = True
    actor.save(update_fields=["enabled"])
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/privacy/")
    section = page.locator("section[aria-labelledby=data-beyond]")
    expect(section.get_by_role("heading", level=2)).to_have_text(heading)
    expect(section.locator("p")).to_contain_text(start)
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
