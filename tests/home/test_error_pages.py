"""The error pages with DEBUG off: the site's design, a next step, no detail."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.models import EventStatus
from tests.factories import EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def _landmarks(html: str) -> list[str]:
    return re.findall(r"<(header|main|footer)\b", html)


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1).strip()


def test_404_is_the_sites_page_with_next_steps(client, group):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert _landmarks(html) == ["header", "main", "footer"]
    assert _title(html) == "Page not found · Platform Cooperatives NYC"
    header = re.search(r"<header\b.*?</header>", html, re.DOTALL).group(0)
    assert "Platform Cooperatives NYC" in header
    assert "<h1>We can't find that page</h1>" in html
    assert '<a href="/events/">See upcoming events</a>' in html


def test_404_for_a_missing_event(client, group):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "<h1>We can't find that page</h1>" in response.content.decode()


def test_404_queries_do_not_grow_with_data(client, group):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/no-such-page/").status_code == 404
        return len(queries)

    empty = count()
    for _ in range(15):
        EventFactory(group=group)
        MembershipFactory(group=group)
    EventFactory(group=group, status=EventStatus.DRAFT)
    assert count() == empty
    assert empty <= 2


def test_403_tells_a_member_whom_to_ask(client, member, group):
    event = EventFactory(group=group)
    client.force_login(member)
    response = client.get(f"/events/{event.slug}/check-in/")
    html = response.content.decode()
    assert response.status_code == 403
    assert _landmarks(html) == ["header", "main", "footer"]
    assert _title(html) == "Not for you, yet · Platform Cooperatives NYC"
    assert "<h1>You can't open this page</h1>" in html
    assert "ask an organizer" in html


def test_400_is_the_sites_page(client, group):
    response = client.get("/", HTTP_HOST="not allowed")
    html = response.content.decode()
    assert response.status_code == 400
    assert _landmarks(html) == ["header", "main", "footer"]
    assert _title(html) == "Bad request · Platform Cooperatives NYC"


def test_csrf_failure_is_the_sites_page(group):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the CSRF cookie, but the form below has no token
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert _landmarks(html) == ["header", "main", "footer"]
    assert _title(html) == "Form expired · Platform Cooperatives NYC"
    assert "Go back, reload the page and send the form again." in html
    assert "CSRF" not in html


def test_csrf_failure_without_cookie_says_so(group):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "did not send the cookie" in response.content.decode()


def test_500_says_sorry_without_the_database(client, group, settings, django_assert_num_queries):
    settings.ROOT_URLCONF = "tests.home.urls_raising"
    client.raise_request_exception = False
    response = client.get("/test-only/fail/")
    html = response.content.decode()
    with django_assert_num_queries(0):
        assert render_to_string("500.html") == html
    assert response.status_code == 500
    assert _landmarks(html) == ["header", "main", "footer"]
    assert _title(html) == "Something went wrong"
    assert '<link rel="stylesheet" href="/static/css/potluck.css">' in html
    assert "a bug" not in html
    assert "RuntimeError" not in html


def test_database_unreachable_is_503_with_retry_after(client, group, settings):
    """What every page answers while the database restarts (the production suite stops a
    real PostgreSQL for the same answer)."""
    settings.ROOT_URLCONF = "tests.home.urls_raising"
    client.raise_request_exception = False
    response = client.get("/test-only/database-gone/")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert html == render_to_string("503.html")
    assert _title(html) == "Back in a moment"
    assert _landmarks(html) == ["header", "main", "footer"]
    assert "5432" not in html
    assert "OperationalError" not in html
