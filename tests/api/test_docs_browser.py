"""/api/docs/ in Chromium: the API described from its schema, no script from anywhere,
axe-clean in both languages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.browser import axe_violations, third_party_requests
from tests.factories import EventFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es"])
def test_docs_page_passes_axe_without_other_origins(page, live_server, group, language):
    EventFactory()
    errors = []
    page.on("console", lambda message: errors.append(message.text))
    page.goto(f"/api/docs/?lang={language}")
    heading = "GET /api/events/{ref}/"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("heading", name="GET /api/events/", exact=True).is_visible()
    label = {"en": "The OpenAPI schema (JSON)", "es": "El esquema OpenAPI (JSON)"}[language]
    assert page.get_by_role("link", name=label).get_attribute("href") == "/api/openapi.json"
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert errors == []  # no CSP violation reported
    assert page.locator("script:not([src])").count() == 0


@pytest.mark.django_db
def test_docs_page_lists_every_operation_and_its_parameters(client, group):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/docs/")
    assert response.status_code == 200
    assert len(captured) == 1  # the group
    html = response.content.decode()
    for operation in (
        "GET /api/",
        "GET /api/events/",
        "GET /api/events/{ref}/",
        "GET /api/series/",
        "GET /api/speakers/",
    ):
        assert f'<code lang="en">{operation}</code>' in html
    for parameter in ("when", "series", "from", "to", "language", "page", "page_size"):
        assert f'<code lang="en">{parameter}</code>' in html
    assert "Content-Security-Policy" in response
    assert "<script>" not in html
