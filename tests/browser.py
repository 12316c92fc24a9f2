"""Helpers for the browser tests: axe-core and the no-third-party check."""

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from .twofactor import fresh_totp_code, totp_secret

# axe-core as axe-playwright-python bundles it (572 KB). Its own Axe.run sends the whole script
# with every check and hands the whole result back (every rule that passed, with a node each):
# here the script goes into a document once, and only the violations come back, which took
# 0.28 s a check where Axe.run took 0.37 s (a 40-article page, the headless shell).
_AXE_SCRIPT = Axe().axe_script
_VIOLATIONS = """options => axe.run(options).then(results => results.violations.map(v => (
    {id: v.id, help: v.help, targets: v.nodes.map(node => node.target)})))"""


def axe_violations(page, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Runs axe-core on the page's document and lists its violations; skip names rules not to
    run."""
    options = {"resultTypes": ["violations"]}  # axe-playwright-python's default
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(_AXE_SCRIPT)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['targets'])} nodes: "
        f"{violation['targets'][:3]})"
        for violation in page.evaluate(_VIOLATIONS, options)
    ]


def third_party_requests(page, live_server_url: str) -> list[str]:
    own = urlsplit(live_server_url).netloc
    return [
        url
        for url in page.requested_urls
        if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc != own
    ]


def log_in(page, email: str, password: str) -> None:
    """Logs in as a person does: the password, then, for an account with an authenticator app
    (every organizer: the admin wants one), the code the app would show now."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    second_step(page, email)


def second_step(page, email: str) -> None:
    """After the password, when the site asks for it: the code the account's authenticator
    app shows now (English labels)."""
    if urlsplit(page.url).path == "/accounts/2fa/authenticate/":
        secret = totp_secret(get_user_model().objects.get(email__iexact=email))
        page.get_by_label("Code", exact=True).fill(fresh_totp_code(secret))
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_load_state()
