"""Every request Potluck makes to another fediverse server, bounded: only https to a public
address (core.outbound: the name is resolved once and that address is the one connected to,
so a name cannot point elsewhere between the check and the request), at most MAX_BYTES read
in chunks, TIMEOUT seconds per connection step, no redirects followed. Private, loopback and
link-local addresses are refused unless settings.POTLUCK_FEDERATION_ALLOW_PRIVATE (tests).
"""

import http.client
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core import outbound

MAX_BYTES = 1024 * 1024
TIMEOUT = 10
CHUNK = 64 * 1024
ACTIVITY_TYPES = (
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
)
USER_AGENT = "Potluck (ActivityPub; +https://github.com/potluck)"
REFUSALS = {
    "scheme": "only https addresses are fetched",
    "host": "only https addresses are fetched",
    "unknown": "cannot resolve {host}",
    "private": "{host} resolves to a private address",
}


class RemoteError(Exception):
    """The remote server could not be asked, or its answer is not usable (says why)."""


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
    allow_private = settings.POTLUCK_FEDERATION_ALLOW_PRIVATE
    try:
        address = outbound.checked_address(
            url,
            allow_private=allow_private,
            schemes=("https", "http") if allow_private else ("https",),
        )
    except outbound.Refused as refused:
        raise RemoteError(REFUSALS[refused.reason].format(host=refused.host)) from refused
    connection, path = outbound.pinned_connection(url, address=address, timeout=TIMEOUT)
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
