"""Every request Potluck makes to another server, bounded: only http(s) to a public address
(the name is resolved once and that address is the one connected to, so a name cannot
point elsewhere between the check and the request), at most MAX_BYTES read in chunks,
TIMEOUT seconds per connection step, no redirects followed. Private, loopback and
link-local addresses are refused unless settings.POTLUCK_FEDERATION_ALLOW_PRIVATE (tests).
"""

import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_BYTES = 1024 * 1024
TIMEOUT = 10
CHUNK = 64 * 1024
ACTIVITY_TYPES = (
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
)
USER_AGENT = "Potluck (ActivityPub; +https://github.com/potluck)"


class RemoteError(Exception):
    """The remote server could not be asked, or its answer is not usable (says why)."""


def _allowed_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> str:
    """The address to connect to: the first the name resolves to; every address the name
    has must be public (unless private ones are allowed for tests)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise RemoteError(f"cannot resolve {host}") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise RemoteError(f"cannot resolve {host}")
    if not settings.POTLUCK_FEDERATION_ALLOW_PRIVATE and not all(
        _allowed_address(address) for address in addresses
    ):
        raise RemoteError(f"{host} resolves to a private address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes

    def json(self) -> dict:
        try:
            data = json.loads(self.body)
        except ValueError as error:
            raise RemoteError("the answer is not JSON") from error
        if not isinstance(data, dict):
            raise RemoteError("the answer is not a JSON object")
        return data


def request(method: str, url: str, *, headers: dict[str, str], body: bytes | None = None):
    """One bounded request; returns its Answer, raises RemoteError."""
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.POTLUCK_FEDERATION_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise RemoteError("only https addresses are fetched")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, port, address, timeout=TIMEOUT)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > MAX_BYTES:
            raise RemoteError("the answer is too large")
        chunks, size = [], 0
        while chunk := response.read(CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                raise RemoteError("the answer is too large")
            chunks.append(chunk)
        return Answer(
            status=response.status,
            content_type=response.getheader("Content-Type", ""),
            body=b"".join(chunks),
        )
    except (OSError, http.client.HTTPException) as error:
        raise RemoteError(f"{type(error).__name__}: {error}"[:300]) from error
    finally:
        connection.close()


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_blocked(domain: str, blocked: list[str]) -> bool:
    """The domain or one of its parents is in the block list."""
    domain = domain.lower().rstrip(".")
    return any(domain == block or domain.endswith("." + block) for block in blocked)
