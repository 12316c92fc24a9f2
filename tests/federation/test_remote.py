"""Every outside request is bounded: private, loopback and link-local addresses refused
(unless POTLUCK_FEDERATION_ALLOW_PRIVATE, which only tests set), https only, at most 1 MB,
and a time limit."""

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from federation import remote


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/users/a",
        "https://localhost/users/a",
        "https://[::1]/users/a",
        "https://10.1.2.3/users/a",
        "https://192.168.0.10/users/a",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/users/a",
    ],
)
def test_private_addresses_are_refused(settings, url):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = False
    with pytest.raises(remote.RemoteError, match="private address"):
        remote.request("GET", url, headers={})


def test_plain_http_is_refused(settings):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = False
    with pytest.raises(remote.RemoteError, match="only https"):
        remote.request("GET", "http://social.example/users/a", headers={})


class _Server:
    def __init__(self, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.24", 0), handler)
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.24:{self.httpd.server_address[1]}/"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _serving(body: bytes, *, length: bool, delay: float = 0):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args):
            pass

        def do_GET(self):
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/activity+json")
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client stops reading, as it should
                self.wfile.write(body)

    return _Server(Handler)


@pytest.mark.parametrize("length", [True, False], ids=["announced", "streamed"])
def test_answers_over_1_mb_are_cut_off(settings, length):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = True
    server = _serving(b"x" * (remote.MAX_BYTES + 1), length=length)
    try:
        with pytest.raises(remote.RemoteError, match="too large"):
            remote.request("GET", server.url, headers={})
        small = _serving(b'{"ok": true}', length=length)
        assert remote.request("GET", small.url, headers={}).json() == {"ok": True}
        small.stop()
    finally:
        server.stop()


def test_slow_server_times_out(settings, monkeypatch):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = True
    monkeypatch.setattr(remote, "TIMEOUT", 0.3)
    server = _serving(b"{}", length=True, delay=1.5)
    try:
        started = time.monotonic()
        with pytest.raises(remote.RemoteError, match="timed out"):
            remote.request("GET", server.url, headers={})
        assert time.monotonic() - started < 1.2
    finally:
        server.stop()


def test_blocked_domains_cover_subdomains():
    assert remote.is_blocked("spam.example", ["spam.example"])
    assert remote.is_blocked("a.spam.example", ["spam.example"])
    assert not remote.is_blocked("notspam.example", ["spam.example"])
