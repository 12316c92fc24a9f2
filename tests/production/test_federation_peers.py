"""Federation between real processes on loopback: two Potluck servers (gunicorn, production
settings over plain http as README's trial, each with its own PostgreSQL database and its
own task worker) and a test account's server (tests/federation/peer.py) holding its own key.

- The test account sends a signed Follow to server A: A fetches its key over HTTP, and A's
  worker delivers a signed Accept to its inbox, which verifies with the key A publishes.
- Publishing an event on A delivers a signed Create whose Event has its start and end in UTC.
- A's group follows B's by its WebFinger address: a signed Follow from A's worker, a signed
  Accept from B's, A's Following row accepted and B's followers A. Then B publishes an event:
  B's worker signs a Create for A's shared inbox, and A verifies it with B's key (202, not 401).
- An unsigned POST and a POST signed with another key are refused by A (401).
"""

import http.client
import json
import secrets
import time
from urllib.parse import urlsplit

import pytest

from federation import signatures
from tests.federation.peer import PeerActor

from .stack import BIN, Server, Stack, free_port, production_env, wait_until_answering

pytestmark = [pytest.mark.production, pytest.mark.postgres]

A_HOST, B_HOST, PEER_HOST = "127.0.0.21", "127.0.0.22", "127.0.0.23"
DEADLINE = 60  # seconds for a worker to deliver

SEED = """
from federation.services import actor_get
from groups.models import Group
from members.models import User
group = Group.objects.create(name={name!r}, slug={slug!r}, time_zone="America/New_York")
actor = actor_get(group=group)
actor.enabled = True
actor.save(update_fields=["enabled"])
User.objects.create_user(email="org@example.org", password="x-" + {slug!r})
result(actor.public_key_pem)
"""

PUBLISH = """
from datetime import datetime, UTC
from events.models import Event, EventStatus
from events.services import event_save, event_set_status
from groups.models import Group
from members.models import User
group = Group.objects.get()
by = User.objects.get()
event = Event(group=group, title={title!r}, slug={slug!r}, status=EventStatus.DRAFT,
    starts_at=datetime(2027, 3, 30, 22, 0, tzinfo=UTC),
    ends_at=datetime(2027, 3, 31, 0, 30, tzinfo=UTC))
event_save(event=event, by=by)
event_set_status(event=event, status=EventStatus.PUBLISHED, by=by)
result(event.pk)
"""


def _post(server, path, body, headers):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=15)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_for(predicate, what):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {DEADLINE}s")


def _verify(received, *, key_pem):
    signature = signatures.check_request(
        method="POST", path=received.path, headers=received.headers, body=received.body
    )
    signatures.verify(
        signature, method="POST", path=received.path, headers=received.headers,
        public_key_pem=key_pem,
    )  # fmt: skip
    return signature


def _env(workdir, database_url, name, host, port):
    env = production_env(
        database_url=database_url,
        redis_url=None,
        media_root=workdir / f"media-{name}",
        secret_key=secrets.token_urlsafe(50),
    )
    env.update(
        DJANGO_ALLOWED_HOSTS=host,
        POTLUCK_SITE_URL=f"http://{host}:{port}",
        POTLUCK_HTTP_TRIAL="1",
        POTLUCK_FEDERATION_ALLOW_PRIVATE="1",  # loopback peers; never set in production
    )
    env.pop("POTLUCK_TRUSTED_PROXY_COUNT")
    return env


def _gunicorn(stack, name, host, port):
    """gunicorn on a port chosen beforehand: the site's URL (its actor ids) names it."""
    command = [str(BIN / "gunicorn"), "config.wsgi", "--workers", "2", "--bind", f"{host}:{port}"]
    popen, log = stack._spawn(name, command, stack.env)
    server = Server(name, popen, log, host=host, port=port)
    stack.processes.append(server)
    return server


@pytest.fixture(scope="module")
def peers(database_server, migrated_template, tmp_path_factory):
    """Servers A and B (each with its own database copied from the suite's migrated
    template, and its own worker) and the test account's server."""
    workdir = tmp_path_factory.mktemp("federation")
    stacks, servers, keys, databases = {}, {}, {}, []
    peer = PeerActor(host=PEER_HOST).start()
    try:
        for name, host, slug in (("a", A_HOST, "alpha"), ("b", B_HOST, "beta")):
            database = f"{migrated_template.removesuffix('_template')}_federation_{name}"
            database_server.admin(f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
            databases.append(database)
            port = free_port(host)
            url = database_server.url_for(database)
            stack = Stack(env=_env(workdir, url, name, host, port), workdir=workdir)
            stacks[name] = stack
            keys[name] = stack.shell(SEED.format(name=slug.title(), slug=slug))
            servers[name] = _gunicorn(stack, f"server-{name}", host, port)
            stack.start_worker(f"worker-{name}")
        for server in servers.values():
            wait_until_answering(server)
        yield stacks, servers, keys, peer
        for server in servers.values():
            log = server.log_text()
            assert "Traceback" not in log, log[-3000:]
    finally:
        peer.stop()
        for stack in stacks.values():
            stack.stop_all()
        for database in databases:
            database_server.admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _actor_url(server, slug):
    return f"http://{server.host}:{server.port}/federation/{slug}"


def test_follow_gets_a_signed_accept_and_a_published_event_a_signed_create(peers):
    stacks, servers, keys, peer = peers
    a = servers["a"]
    inbox = _actor_url(a, "alpha") + "/inbox"
    body, headers = peer.signed_post(inbox, peer.follow(_actor_url(a, "alpha")))
    status, answer = _post(a, urlsplit(inbox).path, body, headers)
    assert (status, json.loads(answer)) == (202, {"status": "followed"})
    assert f"/users/{peer.username}" in peer.gets  # A fetched the account's key over HTTP
    accept = _wait_for(
        lambda: [r for r in peer.received if r.activity["type"] == "Accept"], "Accept"
    )[0]
    assert accept.path == f"/users/{peer.username}/inbox"
    signature = _verify(accept, key_pem=keys["a"])
    assert signature.key_id == _actor_url(a, "alpha") + "#main-key"
    assert accept.activity["object"]["id"] == peer.follow("")["id"]

    stacks["a"].shell(PUBLISH.format(title="Worker co-ops 101", slug="co-ops-101"))
    create = _wait_for(
        lambda: [r for r in peer.received if r.activity["type"] == "Create"], "Create"
    )[0]
    assert create.path == "/inbox"  # the account's server's shared inbox
    _verify(create, key_pem=keys["a"])
    event = create.activity["object"]
    assert (event["type"], event["name"]) == ("Event", "Worker co-ops 101")
    assert (event["startTime"], event["endTime"]) == (
        "2027-03-30T22:00:00Z",
        "2027-03-31T00:30:00Z",
    )
    assert event["attributedTo"] == _actor_url(a, "alpha")


def _get_json(server, path):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=15)
    try:
        connection.request("GET", path, headers={"Accept": "application/activity+json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_potluck_follows_another_potluck(peers):
    """A's group follows B's by its WebFinger address: A's worker sends a signed Follow to
    B's inbox, B verifies it with the key it fetches from A and its worker answers with a
    signed Accept, which A verifies with B's key: A's Following row ends accepted and B's
    followers include A. Then B publishes an event and its worker signs a Create for A's
    shared inbox, which A verifies and takes (202, not 401)."""
    stacks, servers, _keys, _peer = peers
    a, b = servers["a"], servers["b"]
    following = stacks["a"].shell(
        "from federation.services import follow_send\n"
        "from groups.models import Group\n"
        f"row = follow_send(group=Group.objects.get(), target={f'acct:beta@{b.host}:{b.port}'!r})\n"
        "result([row.actor.uri, row.actor.inbox, row.state])\n"
    )
    assert following == [_actor_url(b, "beta"), _actor_url(b, "beta") + "/inbox", "pending"]
    answered = _wait_for(
        lambda: stacks["a"].shell(
            "from federation.models import Following\n"
            "row = Following.objects.get()\n"
            "result(row.state if row.state != 'pending' else None)\n"
        ),
        "answer to A's Follow",
    )
    assert answered == "accepted"
    followers = stacks["b"].shell(
        "from federation.models import Delivery, Follower\n"
        "accept = Delivery.objects.get(kind='Accept')\n"
        "result([[f.actor.uri for f in Follower.objects.select_related('actor')],"
        " [accept.state, accept.attempts, accept.inbox]])\n"
    )
    assert followers == [
        [_actor_url(a, "alpha")],
        ["sent", 1, _actor_url(a, "alpha") + "/inbox"],
    ]
    assert _get_json(b, "/federation/beta/followers")[1]["totalItems"] == 1
    sent = stacks["a"].shell(
        "from federation.models import Delivery\n"
        "row = Delivery.objects.get(kind='Follow')\n"
        "result([row.state, row.attempts, row.inbox])\n"
    )
    assert sent == ["sent", 1, _actor_url(b, "beta") + "/inbox"]

    stacks["b"].shell(PUBLISH.format(title="Beta night", slug="beta-night"))
    delivered = _wait_for(
        lambda: stacks["b"].shell(
            "from federation.models import Delivery\n"
            "row = Delivery.objects.filter(kind='Create').first()\n"
            "result([row.state, row.attempts, row.last_error, row.inbox] if row and row.attempts"
            " else None)\n"
        ),
        "delivery from B",
    )
    assert delivered == ["sent", 1, "", f"http://{a.host}:{a.port}/inbox"]


def test_unsigned_and_wrongly_signed_posts_are_refused(peers):
    _stacks, servers, _keys, peer = peers
    a = servers["a"]
    path = "/federation/alpha/inbox"
    follow = json.dumps(peer.follow(_actor_url(a, "alpha"))).encode()
    status, answer = _post(a, path, follow, {"Content-Type": "application/activity+json"})
    assert (status, json.loads(answer)) == (401, {"error": "no signature"})
    other_key, _public = signatures.key_pair()
    body, headers = peer.signed_post(
        _actor_url(a, "alpha") + "/inbox", peer.follow(_actor_url(a, "alpha")), key_pem=other_key
    )
    status, answer = _post(a, path, body, headers)
    assert (status, json.loads(answer)) == (401, {"error": "signature does not verify"})
