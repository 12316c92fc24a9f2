"""HTTP Signatures as Mastodon signs and verifies them (draft-cavage-http-signatures-12):
RSA-SHA256 over `(request-target) host date digest`, with a `Digest: SHA-256=…` of the body.

Signing and checking are pure functions of the request's parts, so the inbox, the worker and
the tests share them; fetching the signer's key is federation.remote's business.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNED_HEADERS = ("(request-target)", "host", "date", "digest")
# Mastodon refuses a Date more than 12 hours away from its clock, either way.
MAX_CLOCK_SKEW = timedelta(hours=12)
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(Exception):
    """The request is not signed, or not signed in a way we accept (says why, shortly)."""


def key_pair() -> tuple[str, str]:
    """A new RSA 2048 key pair as (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(now: datetime | None = None) -> str:
    return format_datetime((now or datetime.now(UTC)).astimezone(UTC), usegmt=True)


def _signing_string(names, *, method: str, path: str, headers: dict[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        else:
            if name not in headers:
                raise SignatureError(f"signed header {name!r} is missing")
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def sign(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key_pem: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign a request (Host, Date, Digest for a body, Signature)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"host": parts.netloc, "date": http_date(now)}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["digest"] = digest(body)
        names.append("digest")
    message = _signing_string(names, method=method, path=path, headers=headers).encode()
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    signature = base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{signature}"'
    )
    return {name.title(): value for name, value in headers.items()}


@dataclass(frozen=True)
class Signature:
    key_id: str
    headers: tuple[str, ...]
    signature: bytes


def parse(header: str) -> Signature:
    """The parts of a Signature header; raises SignatureError when one is missing."""
    params = dict(_PARAM.findall(header or ""))
    if "keyId" not in params or "signature" not in params:
        raise SignatureError("no signature")
    if params.get("algorithm", "rsa-sha256").lower() not in ("rsa-sha256", "hs2019"):
        raise SignatureError("unsupported signature algorithm")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
    except ValueError as error:
        raise SignatureError("signature is not base64") from error
    names = tuple(params.get("headers", "date").lower().split())
    return Signature(key_id=params["keyId"], headers=names, signature=raw)


def check_request(
    *, method: str, path: str, headers: dict[str, str], body: bytes, now: datetime | None = None
) -> Signature:
    """What can be checked before the key is known: the signature covers the request target,
    host, date and (for a POST) the digest; the digest matches the body; the date is within
    12 hours. Header names in `headers` are lower case."""
    signature = parse(headers.get("signature", ""))
    required = ("(request-target)", "host", "date") + (("digest",) if method == "POST" else ())
    missing = [name for name in required if name not in signature.headers]
    if missing:
        raise SignatureError("signature does not cover " + ", ".join(missing))
    if method == "POST":
        sent = headers.get("digest", "")
        algorithm, _, value = sent.partition("=")
        if algorithm.upper() != "SHA-256" or f"SHA-256={value}" != digest(body):
            raise SignatureError("digest does not match the body")
    try:
        date = parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError) as error:
        raise SignatureError("no valid Date header") from error
    if date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    if abs((now or datetime.now(UTC)) - date) > MAX_CLOCK_SKEW:
        raise SignatureError("Date is more than 12 hours away")
    return signature


def verify(
    signature: Signature, *, method: str, path: str, headers: dict[str, str], public_key_pem: str
) -> None:
    """Raises SignatureError unless the signature was made by the key's owner."""
    message = _signing_string(signature.headers, method=method, path=path, headers=headers)
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except ValueError as error:
        raise SignatureError("the signer's key cannot be read") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the signer's key is not RSA")
    try:
        key.verify(signature.signature, message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise SignatureError("signature does not verify") from error
