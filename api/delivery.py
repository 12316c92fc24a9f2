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
import ssl
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import outbound

REFUSALS = {  # core.outbound.Refused's reasons, in words
    "scheme": _("The address must start with https://."),
    "host": _("The address has no host name."),
    "unknown": _("The address's host name could not be found."),
    "private": _("The address leads to a private or local network: Potluck does not send there."),
}
TIMEOUT = 10  # seconds, for connecting and for each read
MAX_RESPONSE_BYTES = 64 * 1024  # what is read of an answer; the rest is never read
MAX_ERROR_CHARS = 500  # what the log keeps of a failed answer
USER_AGENT = "Potluck-Webhooks/1"


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _allow_private() -> bool:
    return bool(getattr(settings, "POTLUCK_WEBHOOKS_ALLOW_PRIVATE", False))


def _checked(url: str) -> tuple[str, str]:
    """(why the address is refused or "", the checked address to connect to)."""
    allow_private = _allow_private()
    try:
        address = outbound.checked_address(
            url,
            allow_private=allow_private,
            schemes=("https", "http") if allow_private else ("https",),
        )
    except outbound.Refused as refused:
        return str(REFUSALS[refused.reason]), ""
    return "", address


def refused_address(url: str) -> str:
    """Why this address may not receive webhooks, in words; "" when it may."""
    return _checked(url)[0]


@dataclass
class Answer:
    status: int | None  # None when no answer came (refused, timed out, not found)
    error: str  # "" on success

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(*, url: str, secret: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POSTs the body, signed, and says how the receiver answered."""
    refused, address = _checked(url)
    if refused:
        return Answer(None, refused)
    connection, path = outbound.pinned_connection(url, address=address, timeout=TIMEOUT)
    timestamp = str(int(time.time()))
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
