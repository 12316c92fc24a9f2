"""deploy/Caddyfile, run by a real Caddy in front of two gunicorn servers, one of them killed.

The site block is the file's own but for its scheme (http://, as no certificate can be had
here) and the two servers' addresses (loopback ones where compose names web1 and web2); a
global block before it sets a free port, no certificates and the admin API on loopback.
"""

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import time

import pytest

from .client import PUBLIC_HOST
from .stack import BASE_DIR, Stack, free_port, production_env, wait_until_answering

pytestmark = [pytest.mark.production, pytest.mark.postgres]

CADDY_HOST = "127.0.0.7"
REQUESTS_AFTER_THE_KILL = 60
START_TIMEOUT = 30


def _get(port: int, path: str = "/") -> int:
    connection = http.client.HTTPConnection(CADDY_HOST, port, timeout=15)
    try:
        connection.request("GET", path, headers={"Host": PUBLIC_HOST})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def proxied(database_server, migrated_template, tmp_path_factory):
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("Caddy is not installed (.ci/run installs Debian's caddy)")
    folder = tmp_path_factory.mktemp("proxy")
    database = f"{migrated_template.removesuffix('_template')}_proxy"
    database_server.admin(f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
    stack = Stack(
        env=production_env(
            database_url=database_server.url_for(database),
            redis_url=None,
            media_root=folder / "media",
            secret_key=secrets.token_urlsafe(50),
        ),
        workdir=folder,
    )
    # The site's name only, as in production: a health check that asks as "web1:8000" (or
    # as a loopback address) gets 400, as every page would.
    stack.env["DJANGO_ALLOWED_HOSTS"] = PUBLIC_HOST
    # Caddy speaks plain http here (no certificate), so it says X-Forwarded-Proto: http; in
    # production it terminates TLS. What is under test is the proxying, not the redirect.
    stack.env["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    caddy_process = None
    try:
        stack.shell(
            "from groups.models import Group\nGroup.objects.create(name='Proxied', slug='p')"
        )
        web1 = stack.start_server("web1", "127.0.0.2", workers=1)
        web2 = stack.start_server("web2", "127.0.0.3", workers=1)
        for server in (web1, web2):
            wait_until_answering(server, want_status=None)  # 400: asked by its address
        site = (BASE_DIR / "deploy" / "Caddyfile").read_text()
        site = site.replace("web1:8000", f"{web1.host}:{web1.port}")
        site = site.replace("web2:8000", f"{web2.host}:{web2.port}")
        # The one other change: the site is served over plain http (no certificate here).
        site = site.replace("\n{$POTLUCK_DOMAIN} {", "\nhttp://{$POTLUCK_DOMAIN} {", 1)
        assert "http://{$POTLUCK_DOMAIN} {" in site
        port, admin = free_port(CADDY_HOST), free_port(CADDY_HOST)
        config = folder / "Caddyfile"
        config.write_text(
            f"{{\n\tauto_https off\n\thttp_port {port}\n\tadmin {CADDY_HOST}:{admin}\n"
            f"\tdefault_bind {CADDY_HOST}\n}}\n\n{site}"
        )
        env = {
            "PATH": os.environ.get("PATH", ""),
            "POTLUCK_DOMAIN": PUBLIC_HOST,  # the one variable compose gives Caddy
            "XDG_DATA_HOME": str(folder / "caddy-data"),
            "XDG_CONFIG_HOME": str(folder / "caddy-config"),
        }
        with (folder / "caddy.log").open("wb") as log:  # Caddy keeps its own descriptor
            caddy_process = subprocess.Popen(  # noqa: S603
                [caddy, "run", "--adapter", "caddyfile", "--config", str(config)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline, status = time.monotonic() + START_TIMEOUT, None
        while status != 200:
            with contextlib.suppress(OSError):
                status = _get(port)
            assert time.monotonic() < deadline, (status, (folder / "caddy.log").read_text()[-3000:])
            time.sleep(0.2)
        yield stack, web1, web2, port
    finally:
        if caddy_process is not None:
            caddy_process.terminate()
            caddy_process.wait(timeout=30)
        stack.stop_all()
        database_server.admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_health_checks_ask_as_the_site_and_are_answered(proxied):
    _stack, web1, web2, _port = proxied

    def caddys_checks(server) -> list[str]:
        # Caddy's own requests (Go's client); the harness asked by address before, and was
        # rightly answered 400.
        return [
            line
            for line in server.log_text().splitlines()
            if '"GET /healthz HTTP/1.1"' in line and "Go-http-client" in line
        ]

    deadline = time.monotonic() + 15  # health_interval is 5 s
    while not all(caddys_checks(s) for s in (web1, web2)):
        assert time.monotonic() < deadline, web1.log_text()[-2000:]
        time.sleep(0.5)
    for server in (web1, web2):
        checks = caddys_checks(server)
        assert all('"GET /healthz HTTP/1.1" 200 ' in line for line in checks), checks


def test_a_killed_server_costs_no_failed_request(proxied):
    _stack, _web1, web2, port = proxied
    assert {_get(port) for _ in range(6)} == {200}  # both in the rotation
    os.killpg(web2.popen.pid, signal.SIGKILL)
    web2.popen.wait(timeout=10)
    statuses = [_get(port) for _ in range(REQUESTS_AFTER_THE_KILL)]
    assert statuses == [200] * REQUESTS_AFTER_THE_KILL
    assert _get(port, "/calendar.ics") == 200
