"""The outbox (core/emails/outbox.py): rows written with the change that causes them, claimed
by one worker at a time, sent once and marked at once, retried when the server says "later",
failed (and retried from the admin) when it says "never", and claimed again when the worker
that held them died."""

import re
import smtplib
import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.emails import delivery, outbox
from core.emails.outbox import (
    BATCH_SIZE,
    drain,
    emails_queue,
    lease,
    outbox_claim,
    outbox_drain,
    outbox_send,
)
from core.models import Email, EmailState
from events.emails import notify
from groups.services import membership_approve, membership_request
from members.emails import MemberEmail
from tests.concurrency import run_together
from tests.factories import PASSWORD, EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Tasks enqueued and never run: rows wait in the outbox for the claimers a test starts itself.
NO_WORKER = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
REFUSED = "bounce@example.org"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs what a transaction would run on commit (the drain), as a real request does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _welcome(group, users) -> int:
    """The welcome email (members' kind) to these users: rendered from the group's id."""
    return emails_queue(
        kind=MemberEmail.WELCOME, user_ids=[u.pk for u in users], params={"group": group.pk}
    )


def _people(group, count: int, **fields) -> list:
    return [MembershipFactory(group=group, user=UserFactory(**fields)).user for _ in range(count)]


def _refusing(settings, *, code: int, addresses=(REFUSED,)) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "tests.mail_backends.FailOneAddressBackend",
            "OPTIONS": {"refuse": list(addresses), "code": code},
        }
    }


def _states() -> list[tuple[str, str, int]]:
    return list(Email.objects.order_by("pk").values_list("address", "state", "attempts"))


# --- Queueing ----------------------------------------------------------------------------------


def test_rows_are_written_with_the_change_and_a_rollback_queues_nothing(group):
    people = _people(group, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _welcome(group, people) == 2
        assert Email.objects.count() == 2  # written in the change's own transaction
        raise RuntimeError("the change failed")
    assert Email.objects.count() == 0
    outbox_drain()
    assert mail.outbox == []


def test_one_drain_task_follows_the_commit_not_one_per_row(group, settings, commit):
    settings.TASKS = DATABASE_TASKS
    people = _people(group, 3)
    with commit():
        with transaction.atomic():
            _welcome(group, people)
        assert DBTaskResult.objects.count() == 0  # nothing before the commit
    [task] = DBTaskResult.objects.all()
    assert (task.task_path, task.status) == ("core.emails.outbox.drain", TaskResultStatus.READY)
    assert _states() == [(p.email, EmailState.QUEUED, 0) for p in people]
    assert mail.outbox == []


def test_members_who_left_or_turned_the_kind_off_get_no_row(group):
    keen, inactive = _people(group, 1) + _people(group, 1, is_active=False)
    opted_out = _people(group, 1, notify_new_events=False)[0]
    event = EventFactory(group=group)
    assert notify(kind="announcement", user_ids=[keen.pk, inactive.pk, opted_out.pk], event=event)
    assert list(Email.objects.values_list("address", "kind", "params")) == [
        (keen.email, "announcement", {"event": event.pk})
    ]


def test_an_unregistered_kind_is_refused(group, member):
    with pytest.raises(LookupError):
        emails_queue(kind="newsletter", user_ids=[member.pk])
    assert Email.objects.count() == 0


# --- Sending -----------------------------------------------------------------------------------


def test_each_row_is_sent_once_and_marked_with_its_subject_and_message_id(group, commit):
    people = _people(group, 3)
    with commit():
        _welcome(group, people)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    rows = {row.address: row for row in Email.objects.all()}
    for message in mail.outbox:
        row = rows[message.to[0]]
        assert message.extra_headers["Message-ID"] == row.message_id
        assert message.message()["Message-ID"] == row.message_id
        assert (row.state, row.attempts, row.subject, row.language, row.last_error) == (
            EmailState.SENT,
            1,
            f"Welcome to {group.name}",
            "en",
            "",
        )
        assert row.sent_at is not None and row.lease_expires_at is None
    assert len({row.message_id for row in rows.values()}) == 3
    mail.outbox.clear()
    assert outbox_drain() == {"sent": 0, "failed": 0}  # nothing twice
    assert mail.outbox == []


def test_a_batch_reads_its_event_once_and_renders_each_email_in_its_readers_language(group):
    """An announcement to many members: the event is read once per batch (core/emails/batch.py),
    not once per email, and each email still comes in its reader's language."""
    event = EventFactory(
        group=group, title="Open source and co-ops", title_es="Código y cooperativas"
    )
    english, spanish = _people(group, 3), _people(group, 3, language="es")
    notify(kind="announcement", user_ids=[u.pk for u in english + spanish], event=event)
    ids = outbox_claim(worker="w1")
    with CaptureQueriesContext(connection) as queries:
        assert outbox_send(ids=ids, worker="w1") == {"sent": 6, "failed": 0}
    event_reads = [q for q in queries if 'FROM "events_event"' in q["sql"]]
    assert len(event_reads) == 1, [q["sql"] for q in event_reads]
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert all("Open source and co-ops" in subjects[u.email] for u in english)
    assert all("Código y cooperativas" in subjects[u.email] for u in spanish)


def test_an_email_no_longer_due_is_dropped_unsent(group, commit):
    keen, quitter, leaver = _people(group, 3)
    with transaction.atomic():
        _welcome(group, [keen, quitter, leaver])
    quitter.is_active = False
    quitter.save()
    leaver.delete()  # Django sets the row's recipient to NULL
    with commit():
        outbox_drain()
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert _states() == [(keen.email, EmailState.SENT, 1)]


def test_the_bodies_of_a_message_rendered_elsewhere_go_once_it_is_sent(client, group, commit):
    """A password reset is rendered by allauth in the request and queued whole; its link is
    a secret that the log keeps only until the email is sent."""
    UserFactory(email="grace@example.org")
    with transaction.atomic():
        client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    [row] = Email.objects.all()
    assert (row.kind, row.rendered, row.state) == ("account", True, EmailState.QUEUED)
    assert row.params == {"template": "account/email/password_reset_key"}
    assert "/accounts/password/reset/key/" in row.text
    with commit():
        outbox_drain()
    [message] = mail.outbox
    assert "/accounts/password/reset/key/" in message.body
    row.refresh_from_db()
    assert (row.state, row.subject, row.text, row.html) == (
        EmailState.SENT,
        message.subject,
        "",
        "",
    )


# --- Claiming ----------------------------------------------------------------------------------


def test_a_claim_takes_the_oldest_rows_under_a_lease(group):
    people = _people(group, 5)
    _welcome(group, people)
    now = timezone.now()
    with transaction.atomic():
        ids = outbox_claim(worker="w1", limit=3, now=now)
    rows = Email.objects.order_by("pk")
    assert ids == list(rows.values_list("pk", flat=True)[:3])
    assert (
        list(rows.values_list("state", "claimed_by", "lease_expires_at", "attempts"))
        == [(EmailState.SENDING, "w1", now + lease(), 1)] * 3
        + [(EmailState.QUEUED, "", None, 0)] * 2
    )


def test_a_row_held_by_a_dead_worker_is_claimed_again_when_its_lease_ends(group, settings):
    settings.POTLUCK_EMAIL_LEASE_SECONDS = 60
    [person] = _people(group, 1)
    _welcome(group, [person])
    start = timezone.now()
    with transaction.atomic():
        [held] = outbox_claim(worker="dead", now=start)  # then killed: nothing sent
    with transaction.atomic():
        assert outbox_claim(worker="alive", now=start + timedelta(seconds=59)) == []
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        with transaction.atomic():
            assert outbox_claim(worker="alive", now=timezone.now()) == [held]
        assert outbox_send(ids=[held], worker="dead") == {"sent": 0, "failed": 0}
        assert outbox_send(ids=[held], worker="alive") == {"sent": 1, "failed": 0}
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert list(Email.objects.values_list("state", "claimed_by", "attempts")) == [
        (EmailState.SENT, "alive", 2)
    ]


def test_a_worker_with_half_its_lease_gone_gives_the_rest_back(group, settings):
    """It sends the first of its batch whatever the time (so a short lease cannot stop all
    progress), then no more once half the lease is gone."""
    settings.POTLUCK_EMAIL_LEASE_SECONDS = 60
    people = _people(group, 3)
    _welcome(group, people)
    start = timezone.now()
    with transaction.atomic():
        ids = outbox_claim(worker="slow", now=start)
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert outbox_send(ids=ids, worker="slow") == {"sent": 1, "failed": 0}
    assert [m.to for m in mail.outbox] == [[people[0].email]]
    assert _states() == [(people[0].email, EmailState.SENT, 1)] + [
        (p.email, EmailState.QUEUED, 0) for p in people[1:]
    ]
    with transaction.atomic():
        ids = outbox_claim(worker="paused", now=start)
    with time_machine.travel(start + timedelta(seconds=60), tick=False):  # its lease is over
        assert outbox_send(ids=ids, worker="paused") == {"sent": 0, "failed": 0}
    assert _states()[1:] == [(p.email, EmailState.QUEUED, 0) for p in people[1:]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_claimers_at_once_never_get_the_same_row(group, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL's row locks (set DATABASE_URL)")
    settings.TASKS = NO_WORKER
    _welcome(group, _people(group, 50))
    assert Email.objects.filter(state=EmailState.QUEUED).count() == 50
    holding = threading.Barrier(2)
    claims: dict[str, list[int]] = {}

    def claimer(name):
        def job():
            with transaction.atomic():
                claims[name] = outbox_claim(worker=name, limit=30)
                holding.wait(timeout=30)  # both hold their locks before either commits

        return job

    assert run_together([claimer("a"), claimer("b")]) == []
    assert sorted(len(ids) for ids in claims.values()) == [20, 30]
    assert set(claims["a"]).isdisjoint(claims["b"])
    assert sorted(claims["a"] + claims["b"]) == sorted(Email.objects.values_list("pk", flat=True))
    held = Email.objects.values_list("claimed_by", flat=True)
    assert sorted(set(held)) == ["a", "b"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_drains_at_once_send_each_email_once(group, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL's row locks (set DATABASE_URL)")
    settings.TASKS = NO_WORKER
    people = _people(group, 120)
    _welcome(group, people)
    assert (Email.objects.filter(state=EmailState.QUEUED).count(), mail.outbox) == (120, [])
    assert run_together([outbox_drain] * 4) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 120
    assert set(Email.objects.values_list("state", "attempts")) == {(EmailState.SENT, 1)}
    assert len(set(Email.objects.values_list("claimed_by", flat=True))) > 1  # shared out


# --- Failing -----------------------------------------------------------------------------------


def test_a_temporary_refusal_is_tried_again_later_then_given_up(group, settings):
    _refusing(settings, code=451)
    [person] = _people(group, 1, email=REFUSED)
    _welcome(group, [person])
    start = Email.objects.get().next_attempt_at  # due when queued
    waited = []
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        row = Email.objects.get()
        with time_machine.travel(row.next_attempt_at, tick=False):
            assert outbox_drain() == {"sent": 0, "failed": int(attempt == delivery.MAX_ATTEMPTS)}
            assert outbox_drain() == {"sent": 0, "failed": 0}  # not before its time
        row.refresh_from_db()
        waited.append(row.next_attempt_at - start)
        start = row.next_attempt_at
    assert [int(wait.total_seconds()) for wait in waited[:-1]] == list(delivery.RETRY_DELAYS)
    assert (row.state, row.attempts) == (EmailState.FAILED, delivery.MAX_ATTEMPTS)
    assert row.last_error.startswith("{'bounce@example.org': (451, b'4.2.1")
    assert mail.outbox == []


def test_an_unreachable_server_is_a_temporary_failure(group, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.UnreachableBackend"}}
    people = _people(group, 2)
    _welcome(group, people)
    assert outbox_drain() == {"sent": 0, "failed": 0}
    rows = list(Email.objects.order_by("pk"))
    assert [(r.state, r.attempts, r.last_error) for r in rows] == [
        (EmailState.QUEUED, 1, "[Errno 111] Connection refused")
    ] * 2
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(max(row.next_attempt_at for row in rows), tick=False):
        assert outbox_drain() == {"sent": 2, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_a_permanent_failure_is_in_the_admin_and_its_retry_sends_it(
    client, group, organizer, settings, commit
):
    _refusing(settings, code=550)
    [bounce] = _people(group, 1, email=REFUSED)
    [fine] = _people(group, 1)
    with commit():
        _welcome(group, [bounce, fine])
    assert [m.to for m in mail.outbox] == [[fine.email]]
    failed = Email.objects.get(state=EmailState.FAILED)
    sent = Email.objects.get(state=EmailState.SENT)
    refusal = smtplib.SMTPRecipientsRefused(
        {REFUSED: (550, b"5.1.1 <bounce@example.org>: Recipient address rejected")}
    )
    assert (failed.address, failed.attempts, failed.last_error) == (REFUSED, 1, str(refusal))

    client.force_login(organizer)  # organizers read the log (view only) and may retry
    page = client.get("/admin/core/email/?state__exact=failed&kind=welcome")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Welcome to the group" in html and REFUSED in html and "Recipient address" in html
    assert fine.email not in html  # filtered out: sent
    assert f'value="{failed.pk}"' in html
    assert "Try sending the selected failed emails again" in html

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox.clear()
    with commit():
        response = client.post(
            "/admin/core/email/",
            {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[REFUSED]]  # the sent one is not sent again
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (EmailState.SENT, 1, "")


# --- The drain task with a worker (the database backend) ---------------------------------------


def test_the_task_does_one_batch_and_enqueues_the_next_with_its_claim(group, settings):
    settings.TASKS = DATABASE_TASKS
    settings.POTLUCK_EMAIL_LEASE_SECONDS = 60
    people = _people(group, BATCH_SIZE + 5)
    with transaction.atomic():
        _welcome(group, people)
    DBTaskResult.objects.all().delete()  # the commit's own drain task is not this test's

    assert drain.call() == {"sent": BATCH_SIZE, "failed": 0}
    [carry_on] = DBTaskResult.objects.all()
    assert (carry_on.args_kwargs["kwargs"], carry_on.task.run_after) == ({"continued": True}, None)

    carry_on.delete()
    now = timezone.now()
    assert drain.call(continued=True) == {"sent": 5, "failed": 0}  # the last, short batch
    [look_again] = DBTaskResult.objects.all()
    # Enqueued with the claim: to run when that batch's lease ends, should the worker die.
    assert now + lease() < look_again.run_after < now + lease() + timedelta(seconds=5)

    look_again.delete()
    assert drain.call(continued=True) == {"sent": 0, "failed": 0}
    assert DBTaskResult.objects.count() == 0  # nothing left: the chain ends
    assert len(mail.outbox) == BATCH_SIZE + 5


def test_a_continued_task_with_nothing_claimable_comes_back_when_a_lease_ends(group, settings):
    settings.TASKS = DATABASE_TASKS
    settings.POTLUCK_EMAIL_LEASE_SECONDS = 60
    [person] = _people(group, 1)
    with transaction.atomic():
        _welcome(group, [person])
        [held] = outbox_claim(worker="dead")  # a worker that died holding it
    DBTaskResult.objects.all().delete()

    assert drain.call() == {"sent": 0, "failed": 0}
    assert DBTaskResult.objects.count() == 0  # a fresh drain leaves that to the chain
    assert drain.call(continued=True) == {"sent": 0, "failed": 0}
    [later] = DBTaskResult.objects.all()
    expires = Email.objects.get(pk=held).lease_expires_at
    assert later.run_after == expires + timedelta(seconds=1)
    with time_machine.travel(later.run_after, tick=False):
        assert drain.call(continued=True) == {"sent": 1, "failed": 0}
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_send_reminders_drains_what_waits(group, settings):
    [person] = _people(group, 1)
    with transaction.atomic():
        _welcome(group, [person])
        outbox_claim(worker="dead")
    assert outbox.periodic() == "0 emails waiting in the outbox"
    with time_machine.travel(timezone.now() + lease(), tick=False):
        assert outbox.periodic() == "1 emails waiting in the outbox"
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert _states() == [(person.email, EmailState.SENT, 2)]


# --- Every email the site sends is in the log --------------------------------------------------


def _code(message) -> str:
    return re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)


def test_allauth_welcome_contact_and_join_emails_are_logged(client, group, organizer, commit):
    """Issue 24: "the welcome and sign-up emails are missing from the email log"."""
    form = {"display_name": "Ada", "email": "ada@example.org", "password1": PASSWORD}
    with commit():
        client.post("/accounts/signup/", {**form, "password2": PASSWORD})
    with commit():
        client.post("/accounts/confirm-email/", {"code": _code(mail.outbox[-1])})
    with commit():
        client.post("/contact/", {"name": "Rosa", "email": "rosa@example.org", "message": "Hi"})
    group.join_needs_approval = True
    group.save()
    newcomer = UserFactory(email="newcomer@example.org")
    pending = membership_request(group=group, user=newcomer, answers={})
    with commit():
        membership_approve(membership=pending, by=organizer, message="Welcome!")
    ada = get_user_model().objects.get(email="ada@example.org")
    logged = Email.objects.order_by("pk").values_list("kind", "address", "recipient", "state")
    assert list(logged) == [
        ("account", "ada@example.org", ada.pk, EmailState.SENT),
        ("welcome", "ada@example.org", ada.pk, EmailState.SENT),
        ("contact", organizer.email, organizer.pk, EmailState.SENT),
        ("join_request", organizer.email, organizer.pk, EmailState.SENT),  # organizers told
        ("join_approved", "newcomer@example.org", newcomer.pk, EmailState.SENT),
    ]
    assert [m.to[0] for m in mail.outbox] == [row[1] for row in logged]
    assert Email.objects.get(kind="contact").headers == {"Reply-To": "rosa@example.org"}
    assert mail.outbox[2].reply_to == ["rosa@example.org"]
