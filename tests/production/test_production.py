"""Potluck started as README tells an operator, driven over HTTP on two servers.

Server A (127.0.0.2) and server B (127.0.0.3) are gunicorn with two workers each, DEBUG off,
sharing one PostgreSQL database and (in one run) Redis; the worker sends the email. Every
test runs once per cache setup (see conftest.py).
"""

import gzip
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from itertools import cycle

import brotli
import pytest

from .client import Client
from .conftest import PASSWORD, Production, admin_change
from .stack import Stack, production_env, raw_get, wait_until_answering

pytestmark = pytest.mark.production

HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.\w+$")
DEBUG_PAGE_MARKERS = [
    "Using the URLconf",
    "Django tried these URL patterns",
    "DEBUG = True",
    "Traceback",
    "technical_404",
]
WORKER_TIMEOUT = 60  # seconds for the worker to send an email
REPEAT = 4  # requests per server, so that both of its gunicorn workers answer


def unfolded(body: bytes) -> str:
    """An iCalendar body with its folded lines joined again."""
    return body.decode().replace("\r\n ", "").replace("\r\n\t", "")


def album_ids(production: Production, visibility: str) -> list[int]:
    albums = production.data["photos"]["albums"]
    return sorted(int(pk) for pk, seen_by in albums.items() if seen_by == visibility)


def photo_ids(production: Production, album: int) -> list[int]:
    return [p["pk"] for p in production.data["photos"]["photos"] if p["album_id"] == album]


# --- 0. README's checklist --------------------------------------------------------------------


def test_check_deploy_reports_no_issues(database_server, migrated_template, tmp_path):
    """README: with the production variables set, `check --deploy` reports no issues.

    The other tests print mail to the console; this one names an SMTP host, as README asks.
    """
    env = production_env(
        database_url=database_server.url_for(migrated_template),
        redis_url=None,
        media_root=tmp_path,
        secret_key=secrets.token_urlsafe(50),
    )
    env["DJANGO_EMAIL_HOST"] = "smtp.potluck.test"
    done = Stack(env=env, workdir=tmp_path).manage("check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in done.stdout


# --- 1. Images and static files ---------------------------------------------------------------


def _images_of(client: Client, production: Production, path: str) -> list[str]:
    """The page on both servers (200 on each); its <img src>/<source srcset> URLs."""
    found: list[str] = []
    for server in production.servers:
        response = client.get(server, path)
        assert response.status == 200, f"{path} on {server}: {response.status}"
        found.extend(url for url in response.page().images if url not in found)
    return found


def _check_images(client: Client, production: Production, urls: list[str]) -> list[str]:
    problems = []
    for url in urls:
        for server in production.servers:
            response = client.get(server, url)
            if response.status != 200 or not response.content_type.startswith("image/"):
                problems.append(f"{url} on {server}: {response.status} {response.content_type}")
            elif not response.body:
                problems.append(f"{url} on {server}: empty body")
    return problems


def test_images_answer_on_both_servers_and_follow_access_rules(production):
    failed_uploads = {what: status for what, status in production.uploads.items() if status != 302}
    data = production.data
    [public_album] = album_ids(production, "public")
    members_album = data["members_album"]
    public_photo = photo_ids(production, public_album)[0]
    [members_photo] = photo_ids(production, members_album)
    anonymous, member = Client(), production.member

    public_pages = {
        "/": 0,
        "/events/": 0,
        "/events/past/": 0,
        f"/events/{data['cover']}/": 2,  # cover image, speaker photo
        f"/speakers/{data['speaker']['slug']}/": 1,
        "/photos/": 1,
        f"/photos/albums/{public_album}/": 2,
        f"/photos/{public_photo}/": 1,
    }
    member_pages = {
        "/me/": 1,
        f"/members/{data['member']['pk']}/": 1,
        f"/photos/albums/{members_album}/": 1,
        f"/photos/{members_photo}/": 1,
    }
    problems = []
    for client, pages in ((anonymous, public_pages), (member, member_pages)):
        for path, at_least in pages.items():
            urls = _images_of(client, production, path)
            if len(urls) < at_least:
                problems.append(f"{path}: {len(urls)} images, expected at least {at_least}")
            problems.extend(_check_images(client, production, urls))

    # A members-only album: its images answer the member, not a visitor.
    members_only = _images_of(member, production, f"/photos/albums/{members_album}/")
    members_only += _images_of(member, production, f"/photos/{members_photo}/")
    # The site's own static images (the header's logo) are on every page, for everyone.
    members_only = [url for url in members_only if "/static/" not in url]
    assert members_only, "the members-only album shows no image to a member"
    for url in members_only:
        for server in production.servers:
            status = anonymous.get(server, url).status
            if status not in (403, 404):
                problems.append(f"members-only {url} on {server}: {status} for a visitor")
    for path in (f"/photos/albums/{members_album}/", f"/photos/{members_photo}/"):
        for server in production.servers:
            status = anonymous.get(server, path).status
            if status not in (403, 404):
                problems.append(f"members-only page {path} on {server}: {status} for a visitor")

    assert (failed_uploads, problems) == ({}, [])


def test_static_files_have_hashed_names_and_answer_on_both_servers(production):
    home = Client().get(production.a, "/")
    page = home.page()
    assert page.stylesheets, "the home page links no stylesheet"
    static = page.stylesheets + page.scripts + page.icons
    assert [url for url in static if not HASHED_STATIC.match(url)] == []
    for url in static:
        for server in production.servers:
            response = Client().get(server, url)
            assert response.status == 200, f"{url} on {server}"
            assert response.body
    for url in page.stylesheets:
        assert Client().get(production.b, url).content_type == "text/css"
    # whitenoise keeps brotli and gzip copies made at collectstatic (brotli is installed).
    for coding in ("br", "gzip"):
        packed = Client().get(
            production.a, page.stylesheets[0], headers={"Accept-Encoding": coding}
        )
        assert packed.headers["Content-Encoding"] == coding
    for server in production.servers:
        favicon = Client().get(server, "/favicon.ico", follow=True)
        assert favicon.status == 200
        assert favicon.content_type.startswith("image/")
        assert HASHED_STATIC.match(favicon.path), favicon.path


# --- 2. Changes reach the other server's feeds and pages at its next request -------------------


def _warm_feeds(production: Production, slug: str) -> None:
    client = Client()
    for server in production.servers:
        for _ in range(REPEAT):
            for path in (
                "/calendar.ics",
                f"/events/{slug}/calendar.ics",
                "/events/",
                f"/events/{slug}/",
            ):
                assert client.get(server, path).status == 200, f"{path} on {server}"


def _titles_everywhere(production: Production, slug: str | None, title: str) -> dict:
    """Where `title` is missing: each feed and /events/ on both servers, each asked REPEAT times."""
    client = Client()
    missing = {}
    paths = ["/calendar.ics", "/events/"] + (
        [f"/events/{slug}/calendar.ics", f"/events/{slug}/"] if slug else []
    )
    for server in (production.b, production.a):
        for path in paths:
            for attempt in range(REPEAT):
                response = client.get(server, path)
                text = unfolded(response.body) if path.endswith(".ics") else response.text
                if response.status != 200 or title not in text:
                    missing[f"{path} on {server.name} #{attempt + 1}"] = response.status
    return missing


def test_admin_rename_on_a_is_in_b_feeds_at_once(production):
    slug = production.data["admin_feed"]
    _warm_feeds(production, slug)
    title = f"Renamed in admin {secrets.token_hex(3)}"
    saved = admin_change(
        production.organizer,
        production.a,
        "events/event",
        production.data["events"][slug],
        title_en=title,
    )
    assert saved.status == 302, saved.text[:3000]
    assert _titles_everywhere(production, slug, title) == {}


def test_shell_raw_save_is_in_both_servers_feeds_at_once(production):
    slug = production.data["shell_feed"]
    _warm_feeds(production, slug)
    title = f"Renamed in shell {secrets.token_hex(3)}"
    production.stack.shell(
        "from events.models import Event\n"
        f"event = Event.objects.get(slug={slug!r})\n"
        f"event.title = {title!r}\n"
        "event.save()\n"
    )
    assert _titles_everywhere(production, slug, title) == {}


def test_import_ics_is_in_both_servers_feeds_and_listings(production, tmp_path):
    _warm_feeds(production, production.data["cover"])
    title = f"Imported picnic {secrets.token_hex(3)}"
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    stamp = "%Y%m%dT%H%M%SZ"
    source = tmp_path / "picnic.ics"
    source.write_text(
        "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Potluck production suite//EN",
                "BEGIN:VEVENT",
                f"UID:picnic-{secrets.token_hex(6)}@elsewhere.example",
                f"DTSTAMP:{datetime.now(UTC).strftime(stamp)}",
                f"DTSTART:{starts.strftime(stamp)}",
                f"DTEND:{(starts + timedelta(hours=3)).strftime(stamp)}",
                f"SUMMARY:{title}",
                "DESCRIPTION:Bring something to share.",
                "LOCATION:Prospect Park",
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]
        ),
        newline="",
    )
    production.stack.manage("import_ics", str(source))
    assert _titles_everywhere(production, None, title) == {}


def test_feeds_validate_across_servers_and_codings(production):
    """One weak ETag per feed, the same on every worker of both servers and in every coding:
    the ETag comes from the change generation, so a 304 needs no body on any of them."""
    client = Client()
    for path in ("/calendar.ics", "/calendar/all.ics"):
        plain = client.get(production.a, path)
        assert plain.status == 200 and "Content-Encoding" not in plain.headers
        etag = plain.headers["ETag"]
        assert etag.startswith('W/"')
        for server in production.servers:
            for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
                for _ in range(REPEAT):
                    response = client.get(server, path, headers={"Accept-Encoding": coding})
                    assert (response.status, response.headers["ETag"]) == (200, etag)
                    assert response.headers["Content-Encoding"] == coding
                    assert "Accept-Encoding" in response.headers["Vary"]
                    assert decode(response.body) == plain.body
                    head = client.request(server, "HEAD", path, headers={"Accept-Encoding": coding})
                    assert (head.status, head.body) == (200, b"")
                    assert head.headers["Content-Length"] == str(len(response.body))
                    for accept in ("br", "gzip", "identity"):
                        headers = {"Accept-Encoding": accept, "If-None-Match": etag}
                        assert client.get(server, path, headers=headers).status == 304


def test_tokens_in_links_stay_out_of_server_logs(production):
    """A personal feed's token and emailed links' tokens are not written to the access log."""
    token = production.data["member"]["token"]
    emailed = production.data["email_tokens"]
    client = Client()
    for _ in range(REPEAT):
        response = client.get(production.a, f"/calendar/{token}.ics")
        assert response.status == 200
        assert response.content_type == "text/calendar"
    for kind, signed in emailed.items():
        response = client.get(production.a, f"/email/{kind}/{signed}/")
        assert response.status == 200, f"/email/{kind}/…: {response.status}"
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    log = production.a.log_text()
    # The access log is written, so the checks below mean something.
    assert [path for path in ("GET /calendar/", "GET /email/unsubscribe/") if path not in log] == []
    assert [secret for secret in (token, *emailed.values()) if secret in log] == []


# --- 3. Rate limits count across both servers --------------------------------------------------


def test_contact_form_limit_counts_across_servers(production):
    client = Client()  # one client address for every message
    assert client.get(production.a, "/").status == 200
    statuses, last = [], None
    for number, server in zip(range(1, 7), cycle(production.servers)):
        last = client.post(
            server,
            "/contact/",
            {
                "name": "Casey Contact",
                "email": "casey@example.org",
                "message": f"I can help with the newsletter ({number}).",
            },
        )
        statuses.append(last.status)
    assert statuses == [302, 302, 302, 302, 302, 429]
    assert "You have sent several messages already. Please try again in an hour." in last.text


def test_each_visitor_of_a_cached_page_gets_a_token_of_their_own_that_both_servers_take(
    production,
):
    """The home page is rendered once and kept with a hole for the CSRF token; every response
    fills it for its own visitor (home/pagecache.py)."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    tokens = []
    servers = production.servers
    for number, (first, second) in enumerate(zip(servers, reversed(servers), strict=True)):
        visitor = Client(client_ip=f"203.0.113.{50 + number}")
        found = token.findall(visitor.get(first, "/").text)
        assert len(found) == 1 and "hole" not in found[0]
        tokens.append(found[0])
        sent = visitor.post(
            second,
            "/contact/",
            {
                "name": "Kim Visitor",
                "email": "kim@example.org",
                "message": f"Count me in for the picnic ({number}).",
                "csrfmiddlewaretoken": found[0],
            },
        )
        assert sent.status == 302, sent.text[:2000]
    assert len(set(tokens)) == len(tokens)


def _failed_logins_until_refused(production: Production, servers, email: str) -> int | None:
    client = Client()  # one address: the per-address limit (10/m) is not what counts here
    client.get(servers[0], "/accounts/login/")
    for attempt, server in zip(range(1, 16), cycle(servers)):
        response = client.post(
            server, "/accounts/login/", {"login": email, "password": "not the password"}
        )
        assert response.status in (200, 400, 429), f"attempt {attempt} on {server}"
        if "Too many failed login attempts" in response.text:
            return attempt
    return None


def test_login_failure_limit_counts_across_servers(production):
    """Failed logins for one account, alternating A and B, are refused where one server would.

    allauth's default "login_failed" rule is "10/m/ip,5/300s/key": the sixth failure for one
    login within five minutes is refused. Counted per process, four gunicorn workers would
    allow up to twenty.
    """
    from allauth.account import app_settings

    rule = app_settings.RATE_LIMITS["login_failed"]
    [per_key] = [part for part in rule.split(",") if part.endswith("/key")]
    refused_at = int(per_key.split("/")[0]) + 1
    both = _failed_logins_until_refused(
        production, production.servers, production.data["locked_both"]
    )
    assert both == refused_at


# --- 4. Sessions hold across both servers ------------------------------------------------------


def test_session_from_a_works_on_b_and_logout_on_b_ends_it_on_a(production):
    client = Client()
    client.get(production.a, "/accounts/login/")
    login = client.post(
        production.a,
        "/accounts/login/",
        {"login": production.data["session"]["email"], "password": PASSWORD},
    )
    assert login.status == 302
    cookies = " ".join(login.headers.get_all("Set-Cookie") or [])
    assert "sessionid=" in cookies
    assert "Secure" in cookies
    me = client.get(production.b, "/me/")
    assert me.status == 200
    assert "Sami Session" in me.text
    logout = client.post(production.b, "/accounts/logout/")
    assert logout.status == 302
    after = client.get(production.a, "/me/")
    assert after.status == 302
    assert after.headers["Location"].startswith("/accounts/login/")


# --- 5. The task worker sends ------------------------------------------------------------------


def test_rsvp_on_a_is_mailed_by_the_worker(production):
    client = Client()
    login = client.login(production.a, production.data["rsvper"]["email"], PASSWORD)
    assert login.status == 302
    slug = production.data["rsvp_event"]
    going = client.post(production.a, f"/events/{slug}/rsvp/", {"going": "yes"})
    assert going.status == 302
    sent = production.stack.shell(
        "import time\n"
        "from core.models import Email\n"
        f"deadline = time.monotonic() + {WORKER_TIMEOUT}\n"
        "while True:\n"
        f"    sent = Email.objects.filter(recipient_id={production.data['rsvper']['pk']},"
        f" params__event={production.data['events'][slug]}, state='sent').count()\n"
        "    if sent or time.monotonic() > deadline:\n"
        "        break\n"
        "    time.sleep(0.5)\n"
        "result(sent)\n"
    )
    assert sent == 1
    assert production.worker.popen.poll() is None


# --- 6. /healthz -------------------------------------------------------------------------------


def test_healthz_answers_ok_on_both_servers(production):
    for server in production.servers:
        assert raw_get(server, "/healthz") == (200, b"ok\n")


def test_healthz_answers_503_naming_nothing_without_a_database(production):
    env = dict(production.stack.env, DATABASE_URL="postgres://postgres@127.0.0.1:1/potluck")
    server = production.stack.start_server("server-no-db", "127.0.0.4", env=env, workers=1)
    try:
        status, body = wait_until_answering(server, want_status=None)
        status, body = raw_get(server, "/healthz")
        text = body.decode(errors="replace")
        assert status == 503, text[:2000]
        named = [
            word
            for word in (
                "psycopg",
                "postgres",
                "error",
                "exception",
                "refused",
                "connect",
                "127.0.0.1",
                "traceback",
                ":1",
                "5432",
            )
            if word in text.lower()
        ]
        assert named == [], text
        assert len(text) < 100, text
    finally:
        production.stack.stop(server)


# --- 7. DEBUG is off for real ------------------------------------------------------------------


def test_debug_is_off_404_is_plain_and_csp_is_sent(production):
    client = Client()
    for server in production.servers:
        missing = client.get(server, f"/no-such-page-{secrets.token_hex(4)}/")
        assert missing.status == 404
        assert [marker for marker in DEBUG_PAGE_MARKERS if marker in missing.text] == []
        home = client.get(server, "/")
        for response in (home, missing):
            policy = response.headers.get("Content-Security-Policy", "")
            assert "default-src 'self'" in policy, f"{response.path} on {server}: {policy!r}"
        assert home.headers.get("Strict-Transport-Security", "").startswith("max-age=")


# --- 8. In Chromium ----------------------------------------------------------------------------


@pytest.mark.browser
def test_pages_load_cleanly_in_chromium(production, browser):
    [public_album] = album_ids(production, "public")
    server = production.a
    origin = f"http://{server.host}:{server.port}"
    context = browser.new_context(
        base_url=origin, extra_http_headers={"X-Forwarded-Proto": "https"}
    )
    problems = []
    try:
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        requested, errors = [], []
        tab.on("request", lambda request: requested.append(request.url))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        tab.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
        for path, at_least in (
            ("/", 0),
            (f"/events/{production.data['cover']}/", 2),
            (f"/photos/albums/{public_album}/", 2),
        ):
            errors.clear()
            tab.goto(path, wait_until="load")
            # Lazy images below the fold load only when scrolled to: ask for them now.
            tab.evaluate("() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
            tab.wait_for_function(
                "() => Array.from(document.images).every(i => i.complete)", timeout=15_000
            )
            images = tab.evaluate(
                "() => Array.from(document.images).map(i => [i.currentSrc, i.naturalWidth])"
            )
            if len(images) < at_least:
                problems.append(f"{path}: {len(images)} images, expected at least {at_least}")
            problems.extend(f"{path}: {src} did not load" for src, width in images if width <= 0)
            problems.extend(f"{path}: {error}" for error in errors)
        foreign = [url for url in requested if not url.startswith((origin + "/", "data:"))]
        problems.extend(f"request to another origin: {url}" for url in foreign)
    finally:
        context.close()
    assert problems == []


# --- Last: neither server logged an error while all of the above ran --------------------------


def test_servers_logged_no_errors(production):
    for server in production.servers:
        log = server.log_text()
        errors = [
            line
            for line in log.splitlines()
            if "Traceback" in line or '" 500 ' in line or "ERROR" in line
        ]
        assert errors == [], f"{server}:\n{log[-5000:]}"
