"""One signed POST to a webhook's address, bounded in time and size, to public addresses only.

The signature (README "Webhooks"): X-Potluck-Timestamp is the Unix time of the attempt,
X-Potluck-Signature is "sha256=" and the hex HMAC-SHA256, keyed by the webhook's secret, of
the timestamp, a dot and the body's bytes. The receiver recomputes it and refuses a
timestamp more than a few minutes old (a replay).

The address is resolved once per attempt; every address it resolves to must be public
(not private, loopback, link-local or reserved: server-side request forgery) unless
POTLUCK_WEBHOOKS_ALLOW_PRIVATE is on, which only tests set; the connection goes to the
address that was checked (a second lookup could answer otherwise), and redirects are not
followed.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT = 10  # seconds, for connecting and for each read
MAX_RESPONSE_BYTES = 64 * 1024  # what is read of an answer; the rest is never read
MAX_ERROR_CHARS = 500  # what the log keeps of a failed answer
USER_AGENT = "Potluck-Webhooks/1"


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _allow_private() -> bool:
    return bool(getattr(settings, "POTLUCK_WEBHOOKS_ALLOW_PRIVATE", False))


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def refused_address(url: str) -> str:
    """Why this address may not receive webhooks, in words; "" when it may."""
    return _checked(url)[0]


def _checked(url: str) -> tuple[str, list[str]]:
    """(why the address is refused or "", the addresses its host resolves to, all allowed)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _allow_private()):
        return _("The address must start with https://."), []
    if not parts.hostname:
        return _("The address has no host name."), []
    try:
        addresses = _resolve(parts.hostname, parts.port or 443)
    except (OSError, UnicodeError, ValueError):
        return _("The address's host name could not be found."), []
    if not _allow_private() and not all(_public(address) for address in addresses):
        return (
            _("The address leads to a private or local network: Potluck does not send there."),
            [],
        )
    return "", addresses


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass
class Answer:
    status: int | None  # None when no answer came (refused, timed out, not found)
    error: str  # "" on success

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(*, url: str, secret: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POSTs the body, signed, and says how the receiver answered."""
    refused, addresses = _checked(url)
    if refused:
        return Answer(None, refused)
    address = addresses[0]  # the one checked: a second lookup could answer otherwise
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    if https:
        connection = _PinnedHTTPSConnection(
            parts.hostname,
            port,
            address=address,
            timeout=TIMEOUT,
            context=ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(parts.hostname, port, address=address, timeout=TIMEOUT)
    timestamp = str(int(time.time()))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Potluck-Timestamp": timestamp,
                "X-Potluck-Signature": signature(secret=secret, timestamp=timestamp, body=body),
                **headers,
            },
        )
        response = connection.getresponse()
        content = response.read(MAX_RESPONSE_BYTES)
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS])
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Answer(response.status, "")
    text = content.decode("utf-8", "replace").strip()
    return Answer(response.status, f"HTTP {response.status}: {text}"[:MAX_ERROR_CHARS])
