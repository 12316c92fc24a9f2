"""Renders the main pages at phone and desktop sizes, light and dark, into screenshots/:
in English at both sizes and in Spanish on the phone (`?lang=es`, which every page honours),
for a visitor and for the demo organizer (a member of the group, who signs in once, with
the demo authenticator's code: a code is accepted once, so the other browser windows reuse
that session).

`make screenshots`: a throwaway SQLite database seeded by `manage.py seed_demo`, the
development server on 127.0.0.5, Debian's Chromium through Playwright.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
HOST = "127.0.0.5"
PORT = int(os.environ.get("SCREENSHOTS_PORT", "8765"))
BASE = f"http://{HOST}:{PORT}"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
SCHEMES = ("light", "dark")
# (language, the sizes it is shot at): Spanish on the phone, where its longer words wrap.
LANGUAGES = (("en", ("phone", "desktop")), ("es", ("phone",)))


def _run(args, env):
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not start")


def _first_link(page, selector: str) -> str | None:
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def _pages(page) -> dict[str, str]:
    """The pages to render, found by following the site's own links."""
    page.goto(BASE + "/events/")
    event = _first_link(page, ".event-card .event-title a")
    page.goto(BASE + "/events/past/")
    past_event = _first_link(page, ".event-card .event-title a")  # its recap
    page.goto(BASE + "/photos/")
    album = _first_link(page, ".album-grid a")
    pages = {
        "home": "/",
        "events": "/events/",
        "past": "/events/past/",
        "calendar": "/calendar/",
        "privacy": "/privacy/",
        "embed": "/embed/events/",
        "api-docs": "/api/docs/",
        "login": "/accounts/login/",
    }
    if event:
        pages["event"] = event
        page.goto(BASE + event)
        if series := _first_link(page, 'main a[href^="/series/"]'):
            pages["series"] = series
    if past_event:
        pages["past-event"] = past_event
    if album:
        pages["album"] = album
    return pages


def _demo_code() -> str:
    """The code the demo organizer's authenticator app shows now (seed_demo prints its key)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from groups.demo import DEMO_ORGANIZER_TOTP_KEY

    return format_hotp_value(hotp_value(DEMO_ORGANIZER_TOTP_KEY, int(time.time() // 30)))


def _sign_in(browser) -> dict:
    """Signs the demo organizer in once; the session (cookies) every other window reuses."""
    from groups.demo import DEMO_ORGANIZER_EMAIL, DEMO_ORGANIZER_PASSWORD

    context = browser.new_context()
    page = context.new_page()
    page.goto(BASE + "/accounts/login/")
    page.get_by_label("Email").fill(DEMO_ORGANIZER_EMAIL)
    page.get_by_label("Password").fill(DEMO_ORGANIZER_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:  # the demo organizer's app code
        page.get_by_label("Code", exact=True).fill(_demo_code())
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_load_state()
    if "/accounts/" in page.url:
        raise SystemExit(f"screenshots: the demo organizer could not sign in ({page.url})")
    state = context.storage_state()
    context.close()
    return state


def _member_pages(browser, pages: dict, state: dict) -> dict[str, str]:
    """The pages a member sees besides the public ones, found by following links."""
    targets = {k: v for k, v in pages.items() if k != "login"}
    targets["me"] = "/me/"
    for section in ("notifications", "calendar", "security", "data"):
        targets[f"me-{section}"] = f"/me/{section}/"
    targets |= {
        "my-events": "/me/events/",
        "members": "/members/",
        "discussions": "/discussions/",
        "proposals": "/proposals/",
        "polls": "/polls/",
        "consent": "/consent/",
        "log": "/log/",
        "actions": "/actions/",
        "delete-group": "/actions/delete-group/",
    }
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    for name, listing, selector in (
        ("profile", "/members/", ".member-card-name"),
        ("discussion", "/discussions/", ".thread-title a"),
        ("poll", "/polls/", ".thread-title a"),
    ):
        page.goto(BASE + listing)
        if link := _first_link(page, selector):
            targets[name] = link
    context.close()
    if "event" in pages:  # the organizer runs every event: the hosts' page
        targets["attendees"] = pages["event"] + "attendees/"
    return targets


def _shoot(browser, targets: dict[str, str], *, state: dict | None) -> list[Path]:
    shots = []
    suffix = "-member" if state else ""
    for language, sizes in LANGUAGES:
        for size_name in sizes:
            width, height = SIZES[size_name]
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,
                    storage_state=state,
                )
                page = context.new_page()
                for name, path in targets.items():
                    address = path if language == "en" else _with_language(path, language)
                    page.goto(BASE + address)
                    page.wait_for_load_state("networkidle")
                    for mode, full in (("", False), ("-full", True)):
                        target = OUT / f"{name}{suffix}-{language}-{size_name}-{scheme}{mode}.png"
                        page.screenshot(path=target, full_page=full)
                        shots.append(target)
                context.close()
    return shots


def _with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "POTLUCK_SITE_URL": BASE,
            "DJANGO_ALLOWED_HOSTS": HOST,
        }
        _run(["migrate", "--no-input", "-v", "0"], env)
        _run(["seed_demo"], env)
        log = (OUT / "server.log").open("w")
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "runserver", "--noreload", f"{HOST}:{PORT}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(BASE + "/")
            os.environ.update(env)
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            import django

            django.setup()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page()
                pages = _pages(page)
                page.close()
                shots = _shoot(browser, pages, state=None)
                state = _sign_in(browser)
                shots += _shoot(browser, _member_pages(browser, pages, state), state=state)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
    print(f"{len(shots)} screenshots in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
