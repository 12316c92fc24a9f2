"""The outbox: every email the site sends is a row, sent exactly once by whichever worker
claims it (README "The email worker and reminders").

1. Queueing writes one row per recipient in the caller's transaction (a change that rolls
   back queues nothing) and, once it commits, enqueues the `drain` task.
2. A worker claims a small batch with SELECT ... FOR UPDATE SKIP LOCKED, ordered by id, and
   marks it "sending" under a lease (POTLUCK_EMAIL_LEASE_SECONDS) in one short transaction,
   so two workers never hold the same row.
3. It sends each row and marks it sent (core/emails/delivery.py) at once, in its own UPDATE.
4. A row whose lease ran out (its worker died) may be claimed again. With a task backend
   that can defer (the database backend of production), each batch enqueues the task that
   carries on in the same transaction as its claim, to run at once after a full batch or when
   the lease expires after the last one, so a worker killed while it sends leaves the rest to
   that task. A kill inside the claim's own transaction takes that task with it (the rows
   stay queued): `send_reminders` starts a drain whenever claimable rows wait
   (core.hooks.periodic), whatever became of the tasks.
"""

import logging
import os
import secrets
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.tasks import task
from django.utils import timezone

from ..models import Email, EmailState
from . import delivery
from .batch import batch
from .kinds import kinds

logger = logging.getLogger(__name__)

BATCH_SIZE = 20  # rows claimed at once: what a worker stopped by a deploy still finishes


def lease() -> timedelta:
    return timedelta(seconds=max(1, settings.POTLUCK_EMAIL_LEASE_SECONDS))


def claimable(now: datetime) -> Q:
    """Queued and due, or claimed by a worker whose lease ran out."""
    return Q(state=EmailState.QUEUED, next_attempt_at__lte=now) | Q(
        state=EmailState.SENDING, lease_expires_at__lte=now
    )


# --- Queueing ----------------------------------------------------------------------------------


def _drain_after_commit() -> None:
    # robust: a task that cannot be enqueued is logged; the rows wait for the next drain.
    transaction.on_commit(drain.enqueue, robust=True)


def emails_recipients(*, kind: str, user_ids: Iterable[int]) -> QuerySet:
    """Who among user_ids an email of this kind would reach: active members with an address
    who have not turned the kind off (emails_queue's rule; a confirmation page counts them)."""
    spec = kinds.get(str(kind))
    if spec is None:
        raise LookupError(f"{kind!r} is not a registered kind of email")
    # A queryset of ids stays a subquery (an announcement to the whole group); a list is a list.
    ids = user_ids if isinstance(user_ids, QuerySet) else sorted(set(user_ids))
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
    if spec.preference is not None:
        users = users.filter(**{spec.preference: True})
    return users


def emails_queue(*, kind: str, user_ids: Iterable[int], params: dict | None = None) -> int:
    """Queues an email of a registered kind to each active member among user_ids who has not
    turned the kind off, rendered from params when it is sent; returns how many.

    The rows are written in the caller's transaction; one drain task follows its commit."""
    spec = kinds.get(str(kind))
    if spec is None or spec.context is None:
        raise LookupError(f"{kind!r} is not a registered kind rendered from parameters")
    rows = [
        Email(kind=spec.name, recipient_id=pk, address=address, params=params or {})
        for pk, address in emails_recipients(kind=kind, user_ids=user_ids)
        .order_by("pk")
        .values_list("pk", "email")
    ]
    if not rows:
        return 0
    with transaction.atomic():
        Email.objects.bulk_create(rows, batch_size=1000)
        _drain_after_commit()
    return len(rows)


def _rendered_row(*, kind: str, message: EmailMessage, recipient, language: str, params) -> Email:
    [address] = message.to
    html = next(
        (
            str(body)
            for body, mimetype in getattr(message, "alternatives", [])
            if "html" in mimetype
        ),
        "",
    )
    text = message.body
    if message.content_subtype == "html":  # an HTML-only message
        html, text = message.body, ""
    headers = {name: str(value) for name, value in message.extra_headers.items()}
    if message.reply_to:
        headers["Reply-To"] = message.reply_to[0]
    return Email(
        kind=kind,
        recipient=recipient,
        address=address,
        language=language or "",
        params=params or {},
        rendered=True,
        subject=message.subject,
        text=text,
        html=html,
        headers=headers,
    )


def emails_queue_rendered(*, kind: str, messages: list, params: dict | None = None) -> list:
    """Queues messages rendered by someone else (allauth, the contact form), each to its one
    address, whole: [(recipient or None, language, message)]. Their bodies are kept until
    they are sent, then blanked. One drain task follows the caller's commit."""
    if kinds.get(str(kind)) is None:
        raise LookupError(f"{kind!r} is not a registered kind of email")
    rows = [
        _rendered_row(
            kind=str(kind), message=message, recipient=recipient, language=language, params=params
        )
        for recipient, language, message in messages
    ]
    with transaction.atomic():
        Email.objects.bulk_create(rows)
        if rows:
            _drain_after_commit()
    return rows


def email_queue_message(
    *, kind: str, message: EmailMessage, recipient=None, language: str = "", params=None
) -> Email:
    """Queues one message rendered by someone else, to its one address (see above)."""
    [row] = emails_queue_rendered(
        kind=kind, messages=[(recipient, language, message)], params=params
    )
    return row


def emails_retry(*, emails) -> int:
    """Queues failed emails again (the admin's "retry" action); returns how many."""
    with transaction.atomic():
        count = emails.filter(state=EmailState.FAILED).update(
            state=EmailState.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            lease_expires_at=None,
            claimed_by="",
        )
        if count:
            _drain_after_commit()
    return count


# --- Claiming and sending ----------------------------------------------------------------------


def worker_name() -> str:
    """Who holds a claim: the machine, the process and this run."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def outbox_claim(*, worker: str, limit: int = BATCH_SIZE, now: datetime | None = None) -> list:
    """Claims up to `limit` rows, the oldest first, for this worker; returns their ids.

    Must run inside a transaction (the caller's), which holds the row locks until it commits:
    a second claimer skips the locked rows instead of waiting for them."""
    now = now or timezone.now()
    expires = now + lease()
    ids = list(
        Email.objects.filter(claimable(now))
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    Email.objects.filter(claimable(now), pk__in=ids).update(
        state=EmailState.SENDING,
        claimed_by=worker,
        lease_expires_at=expires,
        attempts=F("attempts") + 1,
    )
    # Where the database cannot lock rows (SQLite), the condition above decides who got a row.
    return list(
        Email.objects.filter(
            pk__in=ids, state=EmailState.SENDING, claimed_by=worker, lease_expires_at=expires
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@batch()
def outbox_send(*, ids: list[int], worker: str) -> dict[str, int]:
    """Sends the claimed rows, one by one, over one mail server connection. After the first
    (so that a short lease cannot stop all progress), it stops and gives the rest back when
    less than half of the lease is left, so that no other worker claims a row this one is
    still sending; a lease already over gives back the whole batch. What the rows' context
    builders read they read once for the batch (core/emails/batch.py)."""
    counts = {EmailState.SENT: 0, EmailState.QUEUED: 0, EmailState.FAILED: 0, "": 0}
    rows = list(
        Email.objects.filter(pk__in=ids, state=EmailState.SENDING, claimed_by=worker)
        .select_related("recipient")
        .order_by("pk")
    )
    mailer = None
    try:
        for index, row in enumerate(rows):
            now = timezone.now()
            if now >= row.lease_expires_at or (index and now >= row.lease_expires_at - lease() / 2):
                delivery.release(ids=[r.pk for r in rows[index:]], worker=worker)
                break
            if mailer is None:
                mailer = mailers.default
                try:
                    mailer.open()
                except Exception as error:  # the server is unreachable: a temporary failure
                    mailer = None
                    counts[delivery.failed(row, error, worker=worker)] += 1
                    continue
            state = delivery.deliver(row=row, mailer=mailer, worker=worker)
            counts[state] += 1
            if state in (EmailState.QUEUED, EmailState.FAILED):
                mailer.close()  # the connection may be unusable after an error
                mailer = None
    finally:
        if mailer is not None:
            mailer.close()
    return {"sent": counts[EmailState.SENT], "failed": counts[EmailState.FAILED]}


def outbox_drain(*, now: datetime | None = None) -> dict[str, int]:
    """Claims and sends batch after batch in this process until nothing is claimable."""
    totals = {"sent": 0, "failed": 0}
    while True:
        worker = worker_name()
        with transaction.atomic():
            ids = outbox_claim(worker=worker, now=now)
        if not ids:
            return totals
        for key, count in outbox_send(ids=ids, worker=worker).items():
            totals[key] += count


def next_due(now: datetime | None = None) -> datetime | None:
    """When the earliest row that is not claimable now becomes so: a retry's time, or the end
    of a lease (a worker sending it, or one that died)."""
    pending = Email.objects.aggregate(
        retry=Min("next_attempt_at", filter=Q(state=EmailState.QUEUED)),
        lease=Min("lease_expires_at", filter=Q(state=EmailState.SENDING)),
    )
    times = [moment for moment in pending.values() if moment is not None]
    return min(times) if times else None


@task()
def drain(*, continued: bool = False) -> dict[str, int]:
    """Sends what the outbox holds (enqueued after every commit that queued emails).

    With a backend that can defer (a worker process), one batch per task: the claim enqueues
    the task that carries on, in the same transaction, so a worker killed while it sends, or
    stopped by a deploy, leaves the rest to the next task. Without (the immediate backend:
    the web process), everything at once."""
    if not drain.get_backend().supports_defer:
        return outbox_drain()
    worker = worker_name()
    now = timezone.now()
    with transaction.atomic():
        ids = outbox_claim(worker=worker, now=now)
        if ids:
            # More to claim: carry on now (another worker may take it while this one sends).
            # The last batch: look again when its lease ends, in case this worker dies.
            later = None if len(ids) == BATCH_SIZE else now + lease() + timedelta(seconds=1)
            drain.using(run_after=later).enqueue(continued=True)
        elif continued and (when := next_due(now)) is not None:
            # Nothing claimable now, but rows wait for a retry or a lease: be back then.
            drain.using(run_after=max(when, now) + timedelta(seconds=1)).enqueue(continued=True)
    if not ids:
        return {"sent": 0, "failed": 0}
    return outbox_send(ids=ids, worker=worker)


def periodic() -> str:
    """What send_reminders runs for the outbox (core.hooks.periodic): a drain when claimable
    rows wait, so nothing depends on the task that was lost with a worker killed."""
    waiting = Email.objects.filter(claimable(timezone.now())).count()
    if waiting:
        drain.enqueue()
    return f"{waiting} emails waiting in the outbox"
