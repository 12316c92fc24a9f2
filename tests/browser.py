"""Helpers for the browser tests: axe-core and the no-third-party check."""

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def axe_violations(page, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Runs axe-core (bundled with axe-playwright-python) and lists its violations; skip names
    rules not to run."""
    options = {"resultTypes": ["violations"]}  # axe-playwright-python's default
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    results = _axe.run(page, options=options)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes: "
        f"{[node['target'] for node in violation['nodes']][:3]})"
        for violation in results.response["violations"]
    ]


def third_party_requests(page, live_server_url: str) -> list[str]:
    own = urlsplit(live_server_url).netloc
    return [
        url
        for url in page.requested_urls
        if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc != own
    ]


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
