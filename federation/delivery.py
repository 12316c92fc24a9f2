"""Signed deliveries to other servers' inboxes, one row (federation.models.Delivery) and one
task per inbox, retried with back-off as Mastodon retries its own (a few minutes, then
hours), given up after MAX_ATTEMPTS; organizers see the failed ones in the admin."""

import json
import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from groups.models import Group

from . import documents, remote, signatures
from .models import Actor, BlockedDomain, Delivery, DeliveryState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# After attempt n fails, the next one waits RETRY_DELAYS[n - 1] seconds.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60, 6 * 60 * 60, 12 * 60 * 60, 24 * 60 * 60)
# A row a task is sending is held this long, so the periodic retry does not send it twice.
LEASE = timedelta(minutes=2)
RETRY_BATCH = 100


def _enqueue(delivery_ids: list[int]) -> None:
    for pk in delivery_ids:
        delivery_send.enqueue(delivery_id=pk)


def deliveries_queue(*, group: Group, activity: dict, kind: str, inboxes: list[str]) -> int:
    """A delivery row per inbox, each sent by its own task once the transaction commits."""
    rows = Delivery.objects.bulk_create(
        Delivery(group=group, inbox=inbox, activity=activity, kind=kind) for inbox in inboxes
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Takes a due row for one attempt (pushing its next try past the lease), or None when
    it is sent, failed, not due, or another task holds it."""
    claimed = Delivery.objects.due(now).filter(pk=delivery_id).update(next_try_at=now + LEASE)
    if not claimed:
        return None
    return Delivery.objects.select_related("group").get(pk=delivery_id)


def _permanent(status: int) -> bool:
    """Mastodon's rule: a 4xx other than 408 and 429 will not get better by retrying."""
    return 400 <= status < 500 and status not in (408, 429)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """One signed POST of a delivery; records the outcome on its row."""
    now = now or timezone.now()
    row = _claim(delivery_id, now)
    if row is None:
        return "not due"
    blocked = list(BlockedDomain.objects.values_list("domain", flat=True))
    actor = Actor.objects.filter(group=row.group_id).first()
    error, permanent = "", False
    if actor is None or not actor.enabled:
        error, permanent = "federation is off", True
    elif remote.is_blocked(remote.domain_of(row.inbox), blocked):
        error, permanent = "the instance is blocked", True
    else:
        body = json.dumps(row.activity).encode()
        headers = signatures.sign(
            method="POST",
            url=row.inbox,
            body=body,
            key_id=documents.key_id(row.group),
            private_key_pem=actor.private_key_pem,
        )
        headers["Content-Type"] = documents.ACTIVITY_JSON
        try:
            answer = remote.request("POST", row.inbox, headers=headers, body=body)
        except remote.RemoteError as failure:
            error = str(failure)
        else:
            if 200 <= answer.status < 300:
                Delivery.objects.filter(pk=row.pk).update(
                    state=DeliveryState.SENT,
                    attempts=row.attempts + 1,
                    sent_at=timezone.now(),
                    last_error="",
                )
                return "sent"
            error = f"HTTP {answer.status}"
            permanent = _permanent(answer.status)
    attempts = row.attempts + 1
    if permanent or attempts >= MAX_ATTEMPTS:
        fields = {"state": DeliveryState.FAILED}
    else:
        fields = {"next_try_at": now + timedelta(seconds=RETRY_DELAYS[attempts - 1])}
    Delivery.objects.filter(pk=row.pk).update(attempts=attempts, last_error=error[:500], **fields)
    logger.warning("delivery %s to %s failed (%s): %s", row.pk, row.inbox, attempts, error)
    return "failed" if permanent or attempts >= MAX_ATTEMPTS else "retry"


@task()
def delivery_send(*, delivery_id: int) -> str:
    """The worker's task: one signed activity to one inbox, the outcome on its row."""
    return delivery_attempt(delivery_id=delivery_id)


def deliveries_retry(*, now: datetime | None = None) -> str:
    """The periodic job (core.hooks.periodic): a task for each delivery whose next try has
    come after a failed attempt (a first attempt has its task already)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.due(now).filter(attempts__gt=0).values_list("pk", flat=True)[:RETRY_BATCH]
    )
    _enqueue(due)
    return f"{len(due)} fediverse deliveries retried"


def delivery_retry_now(*, deliveries) -> int:
    """The admin's action: failed or waiting deliveries are tried again at once."""
    rows = deliveries.exclude(state=DeliveryState.SENT)
    ids = list(rows.values_list("pk", flat=True))
    rows.update(state=DeliveryState.PENDING, next_try_at=timezone.now())
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)
