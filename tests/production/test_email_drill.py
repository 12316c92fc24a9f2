"""The outbox under fire: the worker killed with kill -9 in the middle of an announcement, two
workers at once, and a deploy (the worker stopped with SIGTERM, a new one started).

Each drill gets a fresh database from the production suite's migrated template, a real SMTP
server (smtp_sink.py) that records every message it accepts, and real worker processes
(`manage.py worker`, production settings, DJANGO_EMAIL_HOST pointing at the
sink). The lease is 3 seconds (POTLUCK_EMAIL_LEASE_SECONDS) so that a killed worker's emails
are claimed again within seconds. No web server is needed: the announcement is published by
the service the admin's "publish" calls, in `manage.py shell -c`.

What must hold: every recipient has exactly one distinct Message-ID in the sink; a copy of
the same Message-ID (accepted by the server, not yet marked sent when the worker died) at
most once per kill; none at all without a kill.
"""

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from .smtp_sink import Sink, tally
from .stack import Process, Stack, production_env

pytestmark = pytest.mark.production

LEASE = 3  # seconds
DRILL_TIMEOUT = 90  # seconds for an announcement to be sent, or a worker to reach a point

SEED = """
from datetime import timedelta

from django.utils import timezone

from events.models import Event, EventStatus
from events.services import event_set_status
from groups.models import Group, Membership, Role
from members.models import User

group = Group.objects.create(name="Drill Potluck", slug="drill", time_zone="Europe/Berlin")
organizer = User.objects.create(email="organizer@drill.test", display_name="Olive Organizer")
Membership.objects.create(group=group, user=organizer, role=Role.ORGANIZER)
members = User.objects.bulk_create(
    [User(email=f"m{i:04d}@drill.test", display_name=f"Member {i}", password="!")
     for i in range(COUNT)]
)
Membership.objects.bulk_create([Membership(group=group, user=u, role=Role.MEMBER) for u in members])
now = timezone.now()
event = Event.objects.create(
    group=group, title="Drill night", slug="drill-night", status=EventStatus.DRAFT,
    starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=2),
)
# The admin's "publish": one outbox row per member, the drain task after the commit.
event_set_status(event=event, status=EventStatus.PUBLISHED, by=organizer)
result(sorted(u.email for u in members))
"""


@dataclass
class Drill:
    stack: Stack
    sink: Sink
    database_url: str

    def seed(self, count: int) -> list[str]:
        """Members, and the announcement of an event to them, queued."""
        return self.stack.shell(f"COUNT = {count}\n" + SEED)

    def sql(self, query: str) -> list[tuple]:
        import psycopg

        parts = urlsplit(self.database_url)
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname=parts.path.lstrip("/"),
            connect_timeout=10,
        ) as connection:
            return connection.execute(query).fetchall()

    def states(self) -> dict[str, int]:
        return dict(self.sql("SELECT state, count(*) FROM core_email GROUP BY state"))

    def message_ids(self) -> dict[str, str]:
        return dict(self.sql("SELECT address, message_id FROM core_email"))

    def workers(self) -> set[str]:
        """The processes (machine:pid) that sent the emails."""
        rows = self.sql("SELECT DISTINCT claimed_by FROM core_email WHERE state = 'sent'")
        return {worker.rsplit(":", 1)[0] for (worker,) in rows}

    def wait(
        self, condition, what: str, *processes: Process, timeout=DRILL_TIMEOUT, every=0.005
    ) -> float | None:
        """Polls until condition() holds; returns the seconds it took (None when `timeout` was
        given and passed)."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                if timeout != DRILL_TIMEOUT:
                    return None
                logs = "\n".join(f"--- {p.name}\n{p.log_text()[-3000:]}" for p in processes)
                raise AssertionError(
                    f"{what}: not within {DRILL_TIMEOUT}s (sink {self.sink.count()}, "
                    f"rows {self.states()})\n{logs}"
                )
            time.sleep(every)
        return time.monotonic() - start

    def all_sent(self, count: int) -> bool:
        return self.sink.count() >= count and self.states() == {"sent": count}

    def kill(self, process: Process, number: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, number)
        process.popen.wait(timeout=30)
        self.stack.processes.remove(process)

    def check(self, emails: list[str], received: list[tuple[str, str]]) -> dict:
        """Each recipient exactly one distinct Message-ID, the row's own; returns the tally."""
        counted = tally(received)
        assert sorted(counted["recipients"]) == emails
        several = {r: ids for r, ids in counted["recipients"].items() if len(ids) != 1}
        assert several == {}
        mine = {r: next(iter(ids)) for r, ids in counted["recipients"].items()}
        assert mine == self.message_ids()
        assert self.states() == {"sent": len(emails)}
        return counted


@pytest.fixture
def drill(database_server, migrated_template, tmp_path):
    name = f"{migrated_template.removesuffix('_template')}_drill_{secrets.token_hex(3)}"
    database_server.admin(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    sink = Sink().start()
    env = production_env(
        database_url=database_server.url_for(name),
        redis_url=None,
        media_root=tmp_path / "media",
        secret_key=secrets.token_urlsafe(50),
    )
    env.update(
        DJANGO_EMAIL_HOST=sink.host,
        DJANGO_EMAIL_PORT=str(sink.port),
        DJANGO_EMAIL_USE_TLS="0",
        POTLUCK_EMAIL_LEASE_SECONDS=str(LEASE),
    )
    stack = Stack(env=env, workdir=tmp_path)
    try:
        yield Drill(stack, sink, database_server.url_for(name))
    finally:
        stack.stop_all()
        sink.stop()
        database_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# After the last email of a batch (20 to a claim), and in the middle of one.
@pytest.mark.parametrize("kill_after", [100, 110])
def test_kill_9_in_a_300_recipient_announcement_each_gets_exactly_one_email(drill, kill_after):
    emails = drill.seed(300)
    worker = drill.stack.start_worker("worker")
    drill.wait(lambda: drill.sink.count() >= kill_after, f"{kill_after} emails arrived", worker)
    drill.kill(worker, signal.SIGKILL)
    at_kill = drill.sink.count()
    assert kill_after <= at_kill < 300  # killed in the middle of it
    held = drill.states().get("sending", 0)  # claimed by the dead worker, under its lease

    again = drill.stack.start_worker("worker-again")
    # The task chain carries on: the next batch was enqueued with the killed one's claim, and
    # the dead worker's rows are claimed again when their lease ends...
    by = "the task chain"
    recovered = drill.wait(
        lambda: drill.all_sent(300), "recovery", again, timeout=4 * LEASE + 10, every=0.2
    )
    if recovered is None:
        # ... unless the kill fell inside a claim's transaction, which took the next task
        # with it: then cron's send_reminders (README) starts a drain, here at once.
        by = "send_reminders"
        drill.stack.manage("send_reminders")
        recovered = drill.wait(lambda: drill.all_sent(300), "recovery", again, every=0.2)
    counted = drill.check(emails, drill.sink.snapshot())
    assert counted["duplicates"] <= 1  # one kill: at most the email in flight
    print(
        f"\nkill -9 drill: killed after {at_kill} arrived, {held} rows held by the dead worker; "
        f"all 300 sent {recovered:.1f}s after the restart (by {by}); "
        f"{len(drill.sink.snapshot())} messages in the sink, "
        f"{counted['duplicates']} duplicate Message-IDs"
    )


def test_two_workers_at_once_send_500_emails_once_each(drill):
    a = drill.stack.start_worker("worker-a")
    b = drill.stack.start_worker("worker-b")
    emails = drill.seed(500)
    took = drill.wait(lambda: drill.sink.count() >= 500, "500 emails sent", a, b)
    time.sleep(LEASE + 1)  # nothing more arrives: no row is sent twice
    counted = drill.check(emails, drill.sink.snapshot())
    assert counted["duplicates"] == 0
    assert len(drill.workers()) == 2  # both took part
    print(f"\ntwo workers: 500 emails in {took:.1f}s, no duplicate")


def test_a_deploy_in_the_middle_of_a_500_recipient_announcement_loses_and_repeats_none(drill):
    """A deploy stops the worker with SIGTERM (systemd, docker stop) and starts the new
    code's: the old one finishes the batch in hand (20 emails at most) and exits."""
    old = drill.stack.start_worker("worker-old")
    emails = drill.seed(500)
    drill.wait(lambda: drill.sink.count() >= 150, "150 emails arrived", old)
    stopped = time.monotonic()
    drill.kill(old, signal.SIGTERM)
    assert old.popen.returncode == 0
    stopping = time.monotonic() - stopped
    at_stop = drill.sink.count()
    assert 150 <= at_stop < 500
    assert drill.states().get("sending", 0) == 0  # it gave back nothing half done

    new = drill.stack.start_worker("worker-new")
    drill.wait(lambda: drill.sink.count() >= 500, "the rest sent by the new worker", new)
    time.sleep(LEASE + 1)
    counted = drill.check(emails, drill.sink.snapshot())
    assert counted["duplicates"] == 0
    print(
        f"\ndeploy drill: stopped after {at_stop} arrived (the old worker took "
        f"{stopping:.1f}s to finish its batch), the new one sent the rest, no duplicate"
    )
