"""Break it on purpose: Redis stopped, then PostgreSQL stopped, under a running server.

A gunicorn server (README's command), the task worker (`manage.py worker`) and the reminders
loop (`manage.py send_reminders --every …`) run against a PostgreSQL and a Redis of this
module's own (tests/production/services.py), copied from the suite's migrated template. The
machine's shared servers are never touched.

What must hold (issue 24): with Redis away, pages, feeds, logins and RSVPs keep working from
the database and /healthz says 200 naming the degraded part; rate-limit counters outlive a
Redis restart (append-only file); with the database away every page answers 503 with
Retry-After; the worker and the reminders loop wait it out and carry on when it is back.
"""

import secrets
import subprocess
import time
from dataclasses import dataclass

import pytest

from .client import Client
from .conftest import PASSWORD
from .services import PrivatePostgres, PrivateRedis
from .stack import Process, Server, Stack, production_env, raw_get, wait_until_answering

pytestmark = [pytest.mark.production, pytest.mark.postgres]

RECOVERY_TIMEOUT = 60  # seconds for the server and the worker to answer again
REDIS_RETRY = 1  # seconds: POTLUCK_REDIS_RETRY_SECONDS of the drill's servers
SEED = """
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from events.models import Event, EventStatus
from groups.models import Group, Membership, Role
from members.models import User

now = timezone.now()
group = Group.objects.create(name="Fault Drill Potluck", slug="fault-drill", time_zone="UTC")
hashed = make_password(PASSWORD)

def person(email):
    user = User.objects.create(email=email, password=hashed, display_name=email.split("@")[0])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(group=group, user=user, role=Role.MEMBER)
    return user

for name in ("rsvper", "counted"):
    person(f"{name}@potluck.test")
event = Event.objects.create(
    group=group, title="Drill Evening", slug="drill-evening", summary="Held in a drill.",
    status=EventStatus.PUBLISHED, starts_at=now + timedelta(days=3),
    ends_at=now + timedelta(days=3, hours=2),
)
result({"event": event.slug})
"""


@dataclass
class Drill:
    stack: Stack
    postgres: PrivatePostgres
    redis: PrivateRedis
    server: Server
    worker: Process
    reminders: Process
    data: dict


def _copy_template(template_url: str, postgres: PrivatePostgres) -> None:
    """The suite's migrated database, restored into the private server."""
    from .services import _pg_bin

    target = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"]
    subprocess.run([_pg_bin("createdb"), *target, "potluck"], check=True, timeout=60)  # noqa: S603
    dump = subprocess.run(  # noqa: S603
        [_pg_bin("pg_dump"), "--format=custom", "--no-owner", template_url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(  # noqa: S603
        [_pg_bin("pg_restore"), "--no-owner", *target, "-d", "potluck"],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def drill(database_server, migrated_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    postgres = PrivatePostgres.create()
    redis = PrivateRedis.create(folder)
    env = production_env(
        database_url=postgres.url,
        redis_url=redis.url,
        media_root=folder / "media",
        secret_key=secrets.token_urlsafe(50),
    )
    # README's setting: Redis asked again 1 s after a failure (5 by default), to wait less.
    env["POTLUCK_REDIS_RETRY_SECONDS"] = str(REDIS_RETRY)
    stack = Stack(env=env, workdir=folder)
    try:
        _copy_template(database_server.url_for(migrated_template), postgres)
        data = stack.shell(f"PASSWORD = {PASSWORD!r}\n" + SEED)
        server = stack.start_server("faults", "127.0.0.4")
        worker = stack.start_worker()
        reminders = stack.start("reminders", "send_reminders", "--every", "2")
        wait_until_answering(server)
        yield Drill(stack, postgres, redis, server, worker, reminders, data)
    finally:
        stack.stop_all()
        redis.remove()
        postgres.remove()


def _status(server: Server, path: str) -> int:
    return Client().get(server, path).status


def _failed_logins(client: Client, server: Server, email: str, count: int) -> list[bool]:
    """Whether each of `count` failed logins was refused as too many."""
    refused = []
    for _ in range(count):
        response = client.post(server, "/accounts/login/", {"login": email, "password": "no"})
        assert response.status in (200, 400, 429)
        refused.append("Too many failed login attempts" in response.text)
    return refused


def test_with_redis_stopped_pages_feeds_logins_and_rsvps_keep_working(drill):
    drill.redis.stop()
    try:
        slug = drill.data["event"]
        for path in ("/", "/events/", f"/events/{slug}/", "/calendar.ics", "/accounts/login/"):
            assert _status(drill.server, path) == 200, path
        client = Client()
        assert client.login(drill.server, "rsvper@potluck.test", PASSWORD).status == 302
        assert client.get(drill.server, "/me/").status == 200  # the session is served
        assert client.post(drill.server, f"/events/{slug}/rsvp/", {"going": "yes"}).status == 302
        going = drill.stack.shell(
            "from events.models import RSVP\n"
            f"result(RSVP.objects.filter(event__slug={slug!r}, member__email="
            "'rsvper@potluck.test').values_list('status', flat=True).first())"
        )
        assert going == "going"
        status, body = raw_get(drill.server, "/healthz")
        assert status == 200
        assert body.decode().splitlines() == [
            "ok",
            "degraded: cache default (Redis unreachable)",
            "degraded: cache bodies (Redis unreachable)",
        ]
        # Said in the log, but not once per request: at most once a minute per cache and
        # gunicorn worker process (2 × 2 here), however many requests came.
        said = drill.server.log_text().count("Redis cannot be reached")
        assert 1 <= said <= 4
    finally:
        drill.redis.start()
    time.sleep(REDIS_RETRY + 0.5)  # POTLUCK_REDIS_RETRY_SECONDS: then Redis is asked again
    status, body = raw_get(drill.server, "/healthz")
    assert (status, body) == (200, b"ok\n")


def test_rate_limit_counters_outlive_a_redis_restart(drill):
    """allauth's "5/300s/key": the sixth failed login for one account is refused, also when
    Redis restarted between the third and the fourth (its append-only file keeps them)."""
    client = Client()
    client.get(drill.server, "/accounts/login/")
    email = "counted@potluck.test"
    before = _failed_logins(client, drill.server, email, 3)
    drill.redis.stop()
    drill.redis.start()
    time.sleep(REDIS_RETRY + 0.5)  # should a worker have missed Redis meanwhile
    after = _failed_logins(client, drill.server, email, 3)
    assert before + after == [False, False, False, False, False, True]


def test_with_the_database_stopped_pages_answer_503_and_all_recover(drill):
    drill.postgres.stop()
    try:
        for path in ("/", "/events/", f"/events/{drill.data['event']}/", "/calendar.ics"):
            response = Client().get(drill.server, path)
            assert response.status == 503, path
            assert response.headers["Retry-After"] == "30"
            assert "Back in a moment" in response.text
        assert raw_get(drill.server, "/healthz")[0] == 503
        time.sleep(3)  # the worker and the reminders loop meet the outage
        assert drill.worker.popen.poll() is None, drill.worker.log_text()
        assert drill.reminders.popen.poll() is None, drill.reminders.log_text()
    finally:
        drill.postgres.start()
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while _status(drill.server, "/") != 200:
        assert time.monotonic() < deadline, drill.server.log_text()[-3000:]
        time.sleep(0.5)
    # The worker carries on: a task queued now is run, with no one at the keyboard.
    done = drill.stack.shell(
        "import time\n"
        "from django.db import transaction\n"
        "from core.emails.outbox import drain\n"
        "from groups.models import Group\n"
        "from groups.services import contact_send\n"
        "with transaction.atomic():\n"
        "    contact_send(group=Group.objects.get(), name='Drill', email='drill@potluck.test',"
        " message='Still there?')\n"
        "result_ = drain.enqueue()\n"
        f"deadline = time.monotonic() + {RECOVERY_TIMEOUT}\n"
        "while result_.status not in ('SUCCESSFUL', 'FAILED') and time.monotonic() < deadline:\n"
        "    time.sleep(0.5)\n"
        "    result_.refresh()\n"
        "result(str(result_.status))"
    )
    assert done == "SUCCESSFUL", drill.worker.log_text()[-3000:]
    assert "the database did not answer" in drill.worker.log_text()
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while drill.reminders.log_text().count("reminders queued") < 2:
        assert time.monotonic() < deadline, drill.reminders.log_text()[-3000:]
        time.sleep(0.5)
    assert "the database did not answer" in drill.reminders.log_text()
