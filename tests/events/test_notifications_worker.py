"""Emails through the real task machinery: an announcement to 5,000 members run by db_worker
with one refused address, reminders from two send_reminders runs at once, and nothing at all
for an RSVP that rolls back.

Every test here commits for real (transaction=True): the outbox's rows are written in the
transaction that causes them and the drain task only follows its commit, so a test wrapped in
one big rolled-back transaction would prove nothing.
"""

import logging
import re
import signal
import smtplib
import threading
from datetime import timedelta
from functools import partial
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.emails.outbox import BATCH_SIZE
from core.models import Email, EmailState
from events import services
from events.emails import EventEmail
from events.models import RSVP, EventStatus, RSVPStatus
from groups.models import Membership, Role
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
TASK_BACKENDS = {"immediate": IMMEDIATE_TASKS, "database": DATABASE_TASKS}
REFUSED = "bounce@example.org"
UNSUBSCRIBE = re.compile(r"<http://127\.0\.0\.1:8000/email/unsubscribe/[^/>]+/>")


def _members(group, count: int, prefix: str, *, emails: dict[int, str] | None = None) -> list:
    """count members of group, made in bulk; emails replaces the address of some indexes."""
    user_model = get_user_model()
    users = []
    for i in range(count):
        user = user_model(
            email=(emails or {}).get(i, f"{prefix}{i}@example.org"), display_name=f"{prefix} {i}"
        )
        user.set_unusable_password()
        users.append(user)
    users = user_model.objects.bulk_create(users, batch_size=1000)
    Membership.objects.bulk_create(
        [Membership(group=group, user=user, role=Role.MEMBER) for user in users], batch_size=1000
    )
    return users


@pytest.fixture
def run_worker():
    """Runs `manage.py db_worker --batch` in this process until the queue is empty.

    The worker installs its own SIGINT/SIGTERM/SIGQUIT handlers and sets its loggers' levels;
    both are put back afterwards so Ctrl-C still stops pytest and other tests see no change.
    """
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = {number: signal.getsignal(number) for number in signals}
    loggers = [logging.getLogger("django.tasks"), logging.getLogger("django_tasks_db")]
    levels = [logger.level for logger in loggers]

    def run() -> str:
        output = StringIO()
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--queue-name",
            "default",
            "--interval",
            "0",
            stdout=output,
            stderr=output,
        )
        return output.getvalue()

    yield run
    for number, handler in handlers.items():
        signal.signal(number, handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# --- 1. An announcement to 5,000 members through the worker -----------------------------------


@pytest.mark.drill
def test_announcement_to_5000_members_through_worker_logs_4999_sent_1_failed(
    group, organizer, settings, run_worker
):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = {
        "default": {
            "BACKEND": "tests.mail_backends.FailOneAddressBackend",
            "OPTIONS": {"refuse": [REFUSED]},
        }
    }
    members = _members(group, 5000, "crowd", emails={2345: REFUSED})
    [refused] = [user for user in members if user.email == REFUSED]
    draft = EventFactory(status=EventStatus.DRAFT, title="Cooperative Futures")

    services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)

    # Queued with the publication: one row per member (the organizer who published is not
    # told), and one task to drain the outbox, not one per row or batch; nothing sent yet.
    queued = Email.objects.filter(kind=EventEmail.ANNOUNCEMENT, params={"event": draft.pk})
    assert queued.filter(state=EmailState.QUEUED).count() == Email.objects.count() == 5000
    assert sorted(queued.values_list("recipient_id", flat=True)) == sorted(u.pk for u in members)
    [task] = DBTaskResult.objects.all()
    assert (task.task_path, task.status, task.queue_name, task.args_kwargs["kwargs"]) == (
        "core.emails.outbox.drain",
        TaskResultStatus.READY,
        "default",
        {},
    )
    assert mail.outbox == []

    run_worker()

    # One batch per task, each enqueuing the next with its claim: 250 batches of 20, and the
    # one that found nothing left.
    finished = list(DBTaskResult.objects.order_by("enqueued_at", "id"))
    assert len(finished) == 5000 // BATCH_SIZE + 1
    assert {task.status for task in finished} == {TaskResultStatus.SUCCESSFUL}
    outcomes = [(task.return_value["sent"], task.return_value["failed"]) for task in finished]
    assert sorted(outcomes) == [(0, 0), (19, 1)] + [(20, 0)] * 249

    # The log: 4,999 sent, 1 failed, with the address and the server's refusal.
    logged = Email.objects.filter(kind=EventEmail.ANNOUNCEMENT, params__event=draft.pk)
    assert Email.objects.count() == 5000
    assert logged.filter(state=EmailState.SENT, attempts=1).count() == 4999
    [failure] = logged.filter(state=EmailState.FAILED)
    refusal = smtplib.SMTPRecipientsRefused(
        {REFUSED: (550, b"5.1.1 <bounce@example.org>: Recipient address rejected")}
    )
    assert (failure.address, failure.recipient_id, failure.last_error, failure.attempts) == (
        REFUSED,
        refused.pk,
        str(refusal)[:300],
        1,
    )
    sent_to = logged.filter(state=EmailState.SENT)
    assert sorted(sent_to.values_list("address", flat=True)) == sorted(
        user.email for user in members if user.email != REFUSED
    )
    assert sent_to.values("recipient").distinct().count() == 4999
    assert set(sent_to.values_list("subject", flat=True)) == {"New event: Cooperative Futures"}

    # The outbox: one message per delivered address, each with one-click unsubscribe and the
    # Message-ID of its row.
    assert len(mail.outbox) == 4999
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        sent_to.values_list("address", flat=True)
    )
    assert {message.subject for message in mail.outbox} == {"New event: Cooperative Futures"}
    assert {m.extra_headers["List-Unsubscribe-Post"] for m in mail.outbox} == {
        "List-Unsubscribe=One-Click"
    }
    links = [message.extra_headers["List-Unsubscribe"] for message in mail.outbox]
    assert all(UNSUBSCRIBE.fullmatch(link) for link in links)
    assert len(set(links)) == 4999  # a link of each member's own
    message_ids = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}
    assert message_ids == dict(sent_to.values_list("address", "message_id"))
    headers = mail.outbox[0].message()  # the headers survive into the MIME message
    assert headers["List-Unsubscribe"] == links[0]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"] == mail.outbox[0].extra_headers["Message-ID"]


# --- 2. Two send_reminders at once ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("limit", [None, 25], ids=["default-limit", "limit-25"])
def test_send_reminders_twice_at_once_reminds_each_member_once(group, settings, monkeypatch, limit):
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrency tests need PostgreSQL's row locks (SELECT ... FOR UPDATE SKIP LOCKED); "
            "SQLite locks the whole database (set DATABASE_URL, as .ci/run does)"
        )
    settings.TASKS = IMMEDIATE_TASKS
    if limit is not None:
        # Small claims: each command loops many times, so the two runs contend row by row.
        monkeypatch.setattr(
            "events.management.commands.send_reminders.reminders_send",
            partial(services.reminders_send, limit=limit),
        )
    assert group.reminder_hours == 24
    event = EventFactory(title="Soon", starts_at=timezone.now() + timedelta(hours=10))
    later = EventFactory(title="Later", starts_at=timezone.now() + timedelta(days=5))
    members = _members(group, 300, "going")
    RSVP.objects.bulk_create(
        [RSVP(event=event, member=user, status=RSVPStatus.GOING) for user in members]
        + [RSVP(event=later, member=user, status=RSVPStatus.GOING) for user in members[:10]]
    )

    barrier = threading.Barrier(2)
    outputs: list[str] = []
    errors: list[BaseException] = []

    def send_reminders():
        try:
            output = StringIO()
            barrier.wait()
            call_command("send_reminders", stdout=output)
            outputs.append(output.getvalue())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send_reminders) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    # The reminders' line, then what core, members, groups, photos, conversation, decisions
    # and home add (core.hooks.periodic).
    periodic = (
        r"\d+ emails waiting in the outbox\n"
        r"0 abandoned avatar uploads removed\n"
        r"0 organizer digests queued\n"
        r"0 abandoned photo uploads removed\n"
        r"0 announcements and 0 digests queued\n"
        r"0 polls announced, 0 poll reminders queued, 0 polls closed, 0 ballot boxes mixed\n"
        r"0 term reminders queued\n"
        r"0 fediverse deliveries retried\n"
        r"0 weekly emails queued\n"
        r"0 exit bundles expired\n"
        r"0 webhook deliveries due\n"
    )
    counts = [int(re.fullmatch(r"(\d+) reminders queued\n" + periodic, out)[1]) for out in outputs]
    assert sum(counts) == 300
    assert RSVP.objects.filter(event=event, reminder_sent_at__isnull=True).count() == 0
    assert RSVP.objects.filter(event=later, reminder_sent_at__isnull=False).count() == 0
    reminders = Email.objects.filter(kind=EventEmail.REMINDER)
    assert reminders.count() == 300
    assert reminders.filter(params__event=event.pk, state=EmailState.SENT).count() == 300
    assert reminders.values("recipient").distinct().count() == 300
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
        user.pk for user in members
    )
    assert Email.objects.count() == 300
    assert len(mail.outbox) == 300
    assert sorted(message.to[0] for message in mail.outbox) == sorted(u.email for u in members)
    assert {message.subject for message in mail.outbox} == {"Reminder: Soon"}


# --- 3. A rolled-back change ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["immediate", "database"])
def test_rsvp_rolled_back_sends_nothing(group, member, settings, run_worker, backend):
    settings.TASKS = TASK_BACKENDS[backend]
    event = EventFactory(title="Rollback", starts_at=timezone.now() + timedelta(days=5))

    with pytest.raises(RuntimeError, match="something later failed"), transaction.atomic():
        rsvp = services.rsvp_set(event=event, member=member, going=True)
        assert rsvp.status == RSVPStatus.GOING  # written, and a confirmation is pending
        raise RuntimeError("something later failed")
    if backend == "database":
        run_worker()

    assert mail.outbox == []
    assert Email.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert RSVP.objects.count() == 0

    # The same answer, committed, does send: the silence above is the rollback's doing.
    services.rsvp_set(event=event, member=member, going=True)
    if backend == "database":
        assert mail.outbox == []
        run_worker()
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([member.email], "You're going: Rollback")
    ]
    assert list(Email.objects.values_list("kind", "state", "address")) == [
        (EventEmail.CONFIRMATION, EmailState.SENT, member.email)
    ]
