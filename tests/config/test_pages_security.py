"""Every page sends a strict CSP and loads nothing from another origin."""

from html.parser import HTMLParser

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/events/",
    "/events/past/",
    "/events/csp-event/",
    "/speakers/csp-speaker/",
    "/series/csp-series/",
    "/calendar/",
]
MEMBER_PAGES = [
    "/me/",
    "/me/events/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/events/csp-event/",
]
ORGANIZER_PAGES = ["/events/csp-event/check-in/", "/admin/", "/admin/events/event/add/"]


@pytest.fixture(autouse=True)
def _objects(group):
    from events.models import EventSpeaker
    from tests.factories import EventFactory, SeriesFactory, SpeakerFactory

    series = SeriesFactory(group=group, slug="csp-series")
    event = EventFactory(slug="csp-event", series=series)
    EventSpeaker.objects.create(event=event, speaker=SpeakerFactory(slug="csp-speaker"))


class ResourceCollector(HTMLParser):
    """Collects every URL a browser would fetch or submit to from the page."""

    LOADING = {
        "script": ["src"],
        "link": ["href"],
        "img": ["src", "srcset"],
        "source": ["src", "srcset"],
        "iframe": ["src"],
        "video": ["src", "poster"],
        "audio": ["src"],
        "form": ["action"],
        "object": ["data"],
        "embed": ["src"],
    }

    def __init__(self):
        super().__init__()
        self.urls = []
        self.inline_scripts = 0
        self.inline_styles = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            return  # the page in another language or format: named, never loaded
        for name in self.LOADING.get(tag, []):
            if attrs.get(name):
                self.urls.extend(part.split()[0] for part in attrs[name].split(",") if part)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/ld+json":
            self.inline_scripts += 1
        if tag == "style" or "style" in attrs:
            self.inline_styles += 1
        if any(name.startswith("on") for name in attrs):
            self.inline_scripts += 1


def _assert_strict(response):
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    collector = ResourceCollector()
    collector.feed(response.content.decode())
    own = settings.SITE_URL + "/"
    third_party = [
        url
        for url in collector.urls
        if url.startswith(("http:", "https:", "//")) and not url.startswith(own)
    ]
    assert third_party == []
    assert collector.inline_scripts == 0
    assert collector.inline_styles == 0


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_has_strict_csp_and_no_third_party(client, group, url):
    _assert_strict(client.get(url))


def test_email_code_page_after_signup_has_strict_csp(client, group):
    """The page that asks for the emailed code exists only while a sign-up waits for it."""
    password = "a long passphrase for csp"
    client.post(
        "/accounts/signup/",
        {
            "display_name": "Ada",
            "email": "ada@example.org",
            "password1": password,
            "password2": password,
        },
    )
    _assert_strict(client.get("/accounts/confirm-email/"))


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_member_page_has_strict_csp_and_no_third_party(client, member, url):
    client.force_login(member)
    _assert_strict(client.get(url))


@pytest.mark.parametrize("url", ORGANIZER_PAGES)
def test_organizer_page_has_strict_csp(client, organizer, url):
    client.force_login(organizer)
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    if not url.startswith("/admin/"):
        _assert_strict(response)
