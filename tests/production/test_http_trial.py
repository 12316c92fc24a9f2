"""README's "Trying production mode on your own machine": its variables, its gunicorn, over
plain http — a visitor gets pages without a redirect and a login form whose cookies come back."""

import http.client
import re
import secrets
from http.cookies import SimpleCookie

import pytest

from .stack import BASE_DIR, Stack, production_env, wait_until_answering

pytestmark = [pytest.mark.production, pytest.mark.postgres]

HOST = "127.0.0.1"  # README's address; gunicorn binds a free port on it


def _readme_exports() -> dict[str, str]:
    """The `export NAME=value` lines of README's trial block (the secret key aside)."""
    readme = (BASE_DIR / "README.md").read_text()
    block = readme.split("### Trying production mode on your own machine", 1)[1]
    block = block.split("```sh", 1)[1].split("```", 1)[0]
    exports = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for name, value in re.findall(r'(\w+)=("[^"]*"|\S+)', line.removeprefix("export ")):
                exports[name] = value.strip('"')
    return exports


def _request(port: int, method: str, path: str, *, body: str = "", cookies: str = ""):
    connection = http.client.HTTPConnection(HOST, port, timeout=15)
    headers = {"Host": f"{HOST}:{port}", "Cookie": cookies}  # as a browser sends it
    if method == "POST":
        headers |= {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{HOST}:{port}",
        }
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def trial(database_server, migrated_template, tmp_path):
    database = f"{migrated_template.removesuffix('_template')}_trial"
    database_server.admin(f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
    exports = _readme_exports()
    assert set(exports) == {
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "POTLUCK_SITE_URL",
        "POTLUCK_HTTP_TRIAL",
    }
    env = production_env(
        database_url=database_server.url_for(database),
        redis_url=None,
        media_root=tmp_path / "media",
        secret_key=secrets.token_urlsafe(50),  # README makes one the same way
    )
    for name in ("POTLUCK_TRUSTED_PROXY_COUNT", "FORWARDED_ALLOW_IPS"):
        env.pop(name)  # no proxy on a trial
    env |= {name: value for name, value in exports.items() if name != "DJANGO_SECRET_KEY"}
    stack = Stack(env=env, workdir=tmp_path)
    try:
        stack.shell("from groups.models import Group\nGroup.objects.create(name='Trial', slug='t')")
        server = stack.start_server("trial", HOST, workers=1)
        wait_until_answering(server)
        yield server
    finally:
        stack.stop_all()
        database_server.admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_the_trial_serves_pages_and_logins_over_plain_http(trial):
    status, headers, _html = _request(trial.port, "GET", "/")
    assert status == 200  # no redirect to https
    assert "Strict-Transport-Security" not in headers
    status, headers, html = _request(trial.port, "GET", "/accounts/login/")
    assert status == 200
    cookie_headers = headers.get_all("Set-Cookie")
    assert cookie_headers
    assert not any("Secure" in header for header in cookie_headers)
    jar = SimpleCookie()
    for header in cookie_headers:
        jar.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"csrfmiddlewaretoken={token}&login=nobody%40example.org&password=wrong"
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
    status, _headers, html = _request(
        trial.port, "POST", "/accounts/login/", body=body, cookies=cookies
    )
    assert status == 200  # the form answers (not 403: the CSRF cookie came back over http)
    assert "The email address and/or password you specified are not correct." in html
