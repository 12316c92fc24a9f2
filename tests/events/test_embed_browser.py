"""The embed in a real Chromium: shown in a frame on a listed origin, blocked on any other, and
every other Potluck page blocked in a frame; axe on the embed, light and dark."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import axe_violations, third_party_requests
from tests.factories import EventFactory

# This helper's loopback addresses: the ally's site (listed) and a stranger's (not listed).
LISTED_HOST = "127.0.0.41"
UNLISTED_HOST = "127.0.0.42"


@contextmanager
def framing_site(host: str, frame_src: str):
    """Another origin's page holding one iframe, served by Python's http.server."""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ally</title></head>'
        f'<body><h1>Our friends</h1><iframe src="{frame_src}" title="Their events" '
        'width="600" height="400"></iframe></body></html>'
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, 0), Page)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


BLOCKED = "blocked"


def _framed(page, url: str):
    """The h1 of the iframe's document after the ally's page loaded, or BLOCKED when the
    frame was refused: Chromium commits its error page (chrome-error://chromewebdata/) in
    its place, with "localhost is blocked" in the full browser and empty in the headless
    shell."""
    page.goto(url)
    page.wait_for_load_state("load")
    [frame] = [f for f in page.frames if f != page.main_frame]
    frame.wait_for_load_state("load")
    if frame.url.startswith("chrome-error://"):
        return BLOCKED
    heading = frame.locator("h1")
    return heading.first.text_content(timeout=2000).strip() if heading.count() else None


def _refused(page) -> list[str]:
    return [m for m in page.console_errors if "frame-ancestors" in m]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_listed_origin_shows_the_embed_others_are_blocked(open_tab, live_server, group):
    EventFactory(title="Data co-ops")
    embed = f"{live_server.url}/embed/events/"
    with framing_site(LISTED_HOST, embed) as listed, framing_site(UNLISTED_HOST, embed) as other:
        group.embed_origins = f"https://allies.example.org\n{listed}"
        group.save()

        tab = open_tab()
        assert _framed(tab, listed) == f"Next events of {group.name}"
        assert (
            tab.frames[1].get_by_role("link", name="Data co-ops").get_attribute("target")
            == "_blank"
        )
        assert _refused(tab) == []

        tab = open_tab()
        assert _framed(tab, other) == BLOCKED
        assert len(_refused(tab)) == 1

    # Another Potluck page in a frame on the listed origin: refused.
    with framing_site(LISTED_HOST, f"{live_server.url}/events/") as listed_again:
        group.embed_origins = listed_again
        group.save()
        tab = open_tab()
        assert _framed(tab, listed_again) == BLOCKED
        assert len(_refused(tab)) == 1
        # …while the embed itself, from that same origin, shows.
    with framing_site(LISTED_HOST, embed) as listed_third:
        group.embed_origins = listed_third
        group.save()
        tab = open_tab()
        assert _framed(tab, listed_third) == f"Next events of {group.name}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("query", "scheme"),
    [
        ("", "light"),
        ("?theme=light", "dark"),
        ("?theme=dark", "light"),
        ("", "dark"),
        ("?lang=es", "light"),
    ],
)
def test_embed_passes_axe(open_tab, live_server, group, query, scheme):
    EventFactory(title="Data co-ops")
    EventFactory(title="Cancelled one", status="cancelled")
    tab = open_tab(color_scheme=scheme)
    tab.goto(f"/embed/events/{query}")
    assert tab.get_by_role("link", name="Data co-ops").is_visible()
    dark = tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(23, 21, 18)"
    assert dark == ("dark" in query or (scheme == "dark" and "theme" not in query))
    assert axe_violations(tab) == []
    assert third_party_requests(tab, live_server.url) == []
    assert tab.context.cookies() == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_embed_works_without_javascript(open_tab, live_server, group):
    EventFactory(title="Data co-ops")
    tab = open_tab(java_script_enabled=False)
    tab.goto("/embed/events/")
    assert tab.get_by_role("link", name="Data co-ops").is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_one_event_embed_passes_axe(open_tab, live_server, group):
    event = EventFactory(title="Data co-ops")
    tab = open_tab(color_scheme="dark")
    tab.goto(f"/embed/events/{event.slug}/?lang=es")
    assert tab.get_by_role("heading", name="Data co-ops").is_visible()
    assert axe_violations(tab) == []
    assert tab.context.cookies() == []
