"""Fetching a URL someone else gave us (an import feed): public addresses only, bounded in size
and time, a few redirects at most — each hop checked again.

The host is resolved once and the connection goes to the address that was checked, so a name
that answers a public address to the check and a private one to the connection (DNS rebinding)
gets nowhere. Private, loopback, link-local and reserved addresses are refused unless the caller
allows them (an operator's own command line, or tests on loopback). checked_address and
pinned_connection are the two steps every request to another server takes: the import's
fetch here, the fediverse's (federation/remote.py) and the webhooks' (api/delivery.py).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USER_AGENT = "Potluck (+https://github.com/) calendar import"
MAX_REDIRECTS = 3


class Refused(Exception):
    """Why an address may not be asked: `reason` is "scheme" (not one of the schemes allowed),
    "host" (none given), "unknown" (the name does not resolve) or "private"."""

    def __init__(self, reason: str, host: str = ""):
        super().__init__(reason, host)
        self.reason, self.host = reason, host


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_address(url: str, *, allow_private: bool, schemes=("http", "https")) -> str:
    """The address to connect to for url: its host resolved once, every address it resolves
    to public unless allow_private (an operator's command line, tests on loopback); raises
    Refused."""
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise Refused("scheme")
    if not parts.hostname:
        raise Refused("host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise Refused("unknown", parts.hostname) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise Refused("unknown", parts.hostname)
    if not allow_private and not all(is_public(address) for address in addresses):
        raise Refused("private", parts.hostname)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def pinned_connection(url: str, *, address: str, timeout: float):
    """An HTTP(S) connection to url's host that goes to `address`, the one checked_address
    checked (a second lookup could answer otherwise), and the request target (path and
    query) to ask it for."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    kind = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return kind(parts.hostname, port, address=address, timeout=timeout), target


def _refusal(refused: Refused) -> ValidationError:
    if refused.reason == "unknown":
        return ValidationError(_("The address %(host)s cannot be found.") % {"host": refused.host})
    if refused.reason == "private":
        return ValidationError(
            _("%(host)s is a private or local address; only public addresses are fetched.")
            % {"host": refused.host}
        )
    return ValidationError(_("Only http and https addresses can be fetched."))


def fetch(url: str, *, max_bytes: int, timeout: float = 20, allow_private: bool = False) -> bytes:
    """The body of an http(s) URL, or ValidationError saying why not (refused address, too
    large, too slow, not 200)."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            address = checked_address(url, allow_private=allow_private)
        except Refused as refused:
            raise _refusal(refused) from refused
        left = max(deadline - time.monotonic(), 0.1)
        connection, target = pinned_connection(url, address=address, timeout=left)
        response = None
        try:
            connection.request("GET", target, headers={"User-Agent": USER_AGENT})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise ValidationError(
                    _("%(url)s answered %(status)d.") % {"url": url, "status": response.status}
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ValidationError(_("The file at %(url)s is too large.") % {"url": url})
            body = bytearray()
            while chunk := response.read(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise ValidationError(_("The file at %(url)s is too large.") % {"url": url})
                if time.monotonic() > deadline:
                    raise ValidationError(_("%(url)s took too long to answer.") % {"url": url})
            return bytes(body)
        except (OSError, http.client.HTTPException) as error:
            raise ValidationError(
                _("Could not download %(url)s: %(error)s") % {"url": url, "error": error}
            ) from error
        finally:
            if response is not None:
                response.close()
            connection.close()
    raise ValidationError(_("%(url)s redirects too many times.") % {"url": url})
