"""Emails through the real task machinery: an announcement to 5,000 members run by db_worker
with one refused address, reminders from two send_reminders runs at once, and nothing at all
for an RSVP that rolls back.

Every test here commits for real (transaction=True): what notify() queues only leaves with
transaction.on_commit, so a test wrapped in one big rolled-back transaction would prove nothing.
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

from events import services
from events.models import RSVP, EmailKind, EmailLog, EmailOutcome, EventStatus, RSVPStatus
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

    # Queued, one task per batch of 200 (the organizer who published is not told), none sent.
    queued = list(DBTaskResult.objects.order_by("enqueued_at", "id"))
    assert len(queued) == 25
    assert {(task.task_path, task.status, task.queue_name) for task in queued} == {
        ("events.tasks.send_batch", TaskResultStatus.READY, "default")
    }
    batches = [task.args_kwargs["kwargs"]["user_ids"] for task in queued]
    assert [len(batch) for batch in batches] == [200] * 25
    assert sorted(pk for batch in batches for pk in batch) == sorted(user.pk for user in members)
    assert {task.args_kwargs["kwargs"]["kind"] for task in queued} == {"announcement"}
    assert mail.outbox == []
    assert EmailLog.objects.count() == 0

    run_worker()

    finished = list(DBTaskResult.objects.all())
    assert len(finished) == 25
    assert {task.status for task in finished} == {TaskResultStatus.SUCCESSFUL}
    outcomes = sorted((task.return_value["sent"], task.return_value["failed"]) for task in finished)
    assert outcomes == [(199, 1)] + [(200, 0)] * 24

    # The log: 4,999 sent, 1 failed, with the address and the server's refusal.
    logged = EmailLog.objects.filter(kind=EmailKind.ANNOUNCEMENT, event=draft)
    assert EmailLog.objects.count() == 5000
    assert logged.filter(outcome=EmailOutcome.SENT).count() == 4999
    [failure] = logged.filter(outcome=EmailOutcome.FAILED)
    refusal = smtplib.SMTPRecipientsRefused(
        {REFUSED: (550, b"5.1.1 <bounce@example.org>: Recipient address rejected")}
    )
    assert (failure.address, failure.recipient_id, failure.error) == (
        REFUSED,
        refused.pk,
        str(refusal)[:300],
    )
    sent_to = logged.filter(outcome=EmailOutcome.SENT)
    assert sorted(sent_to.values_list("address", flat=True)) == sorted(
        user.email for user in members if user.email != REFUSED
    )
    assert sent_to.values("recipient").distinct().count() == 4999

    # The outbox: one message per delivered address, each with one-click unsubscribe.
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
    headers = mail.outbox[0].message()  # the headers survive into the MIME message
    assert headers["List-Unsubscribe"] == links[0]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


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
    # The reminders' line, then what conversation and decisions add (core.hooks.periodic).
    periodic = (
        r"0 announcements and 0 digests queued\n"
        r"0 polls announced, 0 poll reminders queued, 0 polls closed\n"
    )
    counts = [int(re.fullmatch(r"(\d+) reminders queued\n" + periodic, out)[1]) for out in outputs]
    assert sum(counts) == 300
    assert RSVP.objects.filter(event=event, reminder_sent_at__isnull=True).count() == 0
    assert RSVP.objects.filter(event=later, reminder_sent_at__isnull=False).count() == 0
    reminders = EmailLog.objects.filter(kind=EmailKind.REMINDER)
    assert reminders.count() == 300
    assert reminders.filter(event=event, outcome=EmailOutcome.SENT).count() == 300
    assert reminders.values("recipient").distinct().count() == 300
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
        user.pk for user in members
    )
    assert EmailLog.objects.count() == 300
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
    assert EmailLog.objects.count() == 0
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
    assert list(EmailLog.objects.values_list("kind", "outcome", "address")) == [
        (EmailKind.CONFIRMATION, EmailOutcome.SENT, member.email)
    ]
