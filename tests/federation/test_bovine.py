"""Interoperability with bovine (a maintained ActivityPub library from PyPI): bovine's
verifier accepts what Potluck signs, with the key it reads from Potluck's actor document,
and Potluck's inbox accepts a Follow that bovine's own client signed."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from bovine.clients.signed_http_methods import signed_post
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret

from federation import signatures
from federation.models import Follower

from .test_inbox import SERVER


def _run(coroutine):
    """bovine is asynchronous: its coroutine runs in a thread of its own, with its own event
    loop (a browser test earlier on the same worker leaves Playwright's loop running here)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SERVER


def _bovine_verifies(client, *, method, url, headers, body) -> str | None:
    """bovine's draft-cavage verifier, given the key it names as Potluck's actor document
    (read over HTTP first: the test client does not run inside bovine's event loop)."""
    key_id = signatures.parse(headers.get("Signature") or headers.get("signature")).key_id
    path = key_id.split("#", 1)[0].removeprefix(SERVER)
    answer = client.get(path, headers={"Accept": "application/activity+json"})
    published = json.loads(answer.content)["publicKey"]

    async def key_retriever(asked):
        assert asked == key_id
        return CryptographicIdentifier.from_public_key(published)

    async def read_body():
        return body

    validate = build_validate_http_signature_raw(key_retriever)
    lowered = {name.lower(): value for name, value in headers.items()}
    return _run(validate(method, url, lowered, read_body))


def test_bovine_verifies_what_potluck_signs(client, actor):
    url = "https://social.example/inbox"
    body = b'{"type": "Create"}'
    headers = signatures.sign(
        method="POST",
        url=url,
        body=body,
        key_id=f"{SERVER}/federation/{actor.group.slug}#main-key",
        private_key_pem=actor.private_key_pem,
    )
    owner = _bovine_verifies(client, method="POST", url=url, headers=headers, body=body)
    assert owner == f"{SERVER}/federation/{actor.group.slug}"
    # bovine refuses the same signature over another body (its digest check).
    assert _bovine_verifies(client, method="POST", url=url, headers=headers, body=b"{}") is None


def test_bovine_verifies_the_accept_potluck_delivered(
    client, actor, test_actor, django_capture_on_commit_callbacks
):
    path = f"/federation/{actor.group.slug}/inbox"
    body, headers = test_actor.signed_post(SERVER + path, test_actor.follow(SERVER + path[:-6]))
    content_type = headers.pop("Content-Type")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, data=body, content_type=content_type, headers=headers)
    assert response.status_code == 202
    [accept] = test_actor.received
    url = test_actor.base + accept.path
    owner = _bovine_verifies(
        client, method="POST", url=url, headers=accept.headers, body=accept.body
    )
    assert owner == f"{SERVER}/federation/{actor.group.slug}"


class _Capture:
    """Stands in for aiohttp's session: keeps the request bovine's client would send."""

    async def post(self, url, data, headers):
        self.request = (url, data, headers)


def test_potluck_accepts_a_follow_signed_by_bovine(client, actor, test_actor):
    public, private = generate_rsa_public_private_key()
    test_actor.public_key_pem = public  # what its actor document now publishes
    path = f"/federation/{actor.group.slug}/inbox"
    follow = json.dumps(test_actor.follow(SERVER + path[:-6]))
    session = _Capture()
    _run(
        signed_post(
            session,
            CryptographicSecret.from_pem(test_actor.key_id, private),
            SERVER + path,
            follow,
            digest_method=lambda raw: ("digest", content_digest_sha256(raw, "SHA-256")),
        )
    )
    _url, data, headers = session.request
    assert "digest" in headers["signature"] and "(request-target)" in headers["signature"]
    sent = {name: value for name, value in headers.items() if name != "content-type"}
    response = client.post(
        path,
        data=data,
        content_type=headers.get("content-type", "application/activity+json"),
        headers=sent,
    )
    assert response.status_code == 202
    assert Follower.objects.get().actor.uri == test_actor.id
    # The same request with a byte changed is refused.
    forged = client.post(
        path,
        data=data.replace("Follow", "Fellow"),
        content_type="application/activity+json",
        headers=sent,
    )
    assert forged.status_code == 401
