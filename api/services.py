"""Webhook deliveries: queued with the change, sent by the worker, retried with back-off.

A change to a public event (events.hooks.event_changed) writes one WebhookDelivery per
active webhook that asked for it, in the change's own transaction (a change that rolls back
sends nothing); after the commit each gets its body (the event as /api/events/<id>/ shows
it then) and a task. The task claims its row with a lease, POSTs outside any transaction
(api/delivery.py) and records the answer: delivered, or tried again after a growing delay
(POTLUCK_WEBHOOK_RETRY_SECONDS × 3^(attempt − 1), at most 6 hours), and failed for good after
MAX_ATTEMPTS. send_reminders (core.hooks.periodic) picks up what a lost task left behind.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone, translation

from events.models import Event

from . import delivery, queries, shapes
from .models import DeliveryState, Webhook, WebhookChange, WebhookDelivery

MAX_ATTEMPTS = 8
MAX_DELAY = timedelta(hours=6)
LEASE = timedelta(seconds=delivery.TIMEOUT * 3)
OPEN = (DeliveryState.PENDING, DeliveryState.RETRYING)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the attempts made so far failed: 1, 3, 9, 27… times the base."""
    base = timedelta(seconds=settings.POTLUCK_WEBHOOK_RETRY_SECONDS)
    return min(base * 3 ** max(attempts - 1, 0), MAX_DELAY)


def webhooks_queue(*, event: Event, change: str, now: datetime | None = None) -> int:
    """events.hooks.event_changed: a delivery per active webhook that asked for this change,
    in the caller's transaction; returns how many."""
    name = f"event.{change}"
    if name not in WebhookChange.values:
        raise ValueError(change)
    now = now or timezone.now()
    hooks = [hook for hook in Webhook.objects.filter(active=True) if name in hook.changes]
    made = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=hook, change=name, event_id=event.pk, occurred_at=now)
        for hook in hooks
    )
    if made:
        ids = [row.pk for row in made]
        transaction.on_commit(lambda: deliveries_start(ids=ids))
    return len(made)


def deliveries_start(*, ids: list[int]) -> None:
    """After the commit: each delivery's body from the committed data, and its task."""
    for row in WebhookDelivery.objects.filter(pk__in=ids, body=""):
        _write_body(row)
    for pk in ids:
        deliver.enqueue(delivery_id=pk)


def _write_body(row: WebhookDelivery) -> None:
    """The JSON the receiver gets, written once: the event as the API shows a visitor, in
    the site's language. An event no longer public (back to draft) sends nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        event = queries.event_detail(str(row.event_id)) if row.event_id else None
        if event is None:
            row.state = DeliveryState.FAILED
            row.last_error = "The event is no longer public: nothing was sent."
            row.save(update_fields=["state", "last_error"])
            return
        zone = event.group.time_zone
        payload = {
            "event": row.change,
            "id": row.pk,
            "occurred_at": row.occurred_at,
            "data": shapes.event_detail(event, time_zone=zone),
        }
    row.body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)
    row.save(update_fields=["body"])


def delivery_claim(*, delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """The delivery, leased to the caller, when it is due and nobody holds it."""
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_id, state__in=OPEN)
            .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .first()
        )
        if row is None:
            return None
        row.leased_until = now + LEASE
        row.save(update_fields=["leased_until"])
    return row


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """One attempt at one delivery (the task's work); returns the row as recorded, or None
    when it was not due or another worker holds it."""
    now = now or timezone.now()
    row = delivery_claim(delivery_id=delivery_id, now=now)
    if row is None:
        return None
    if not row.body:
        _write_body(row)
        if row.state == DeliveryState.FAILED:
            return row
    answer = delivery.post(
        url=row.webhook.url,
        secret=row.webhook.secret,
        body=row.body.encode(),
        headers={"X-Potluck-Event": row.change, "X-Potluck-Delivery": str(row.pk)},
    )
    done = timezone.now()
    row.attempts += 1
    row.last_status = answer.status
    row.last_error = answer.error
    row.leased_until = None
    if answer.ok:
        row.state, row.delivered_at, row.next_try_at = DeliveryState.DELIVERED, done, None
    elif row.attempts >= MAX_ATTEMPTS:
        row.state, row.next_try_at = DeliveryState.FAILED, None
    else:
        row.state, row.next_try_at = DeliveryState.RETRYING, done + retry_delay(row.attempts)
    row.save(
        update_fields=[
            "attempts",
            "last_status",
            "last_error",
            "leased_until",
            "state",
            "delivered_at",
            "next_try_at",
        ]
    )
    return row


def deliveries_due(*, now: datetime | None = None) -> list[int]:
    """Open deliveries whose time has come and that nobody holds."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(state__in=OPEN)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


def deliveries_retry(*, ids) -> int:
    """The admin's "try again now": failed or waiting deliveries get a fresh round."""
    rows = WebhookDelivery.objects.filter(pk__in=ids).exclude(state=DeliveryState.DELIVERED)
    ids = list(rows.values_list("pk", flat=True))
    rows.update(state=DeliveryState.PENDING, attempts=0, next_try_at=None, leased_until=None)
    transaction.on_commit(lambda: deliveries_start(ids=ids))
    return len(ids)


def periodic() -> str:
    """send_reminders' job (core.hooks.periodic): a task for every delivery that is due
    (a retry's time has come and its task was lost, or the web process runs tasks itself)."""
    due = deliveries_due()
    for pk in due:
        deliver.enqueue(delivery_id=pk)
    return f"{len(due)} webhook deliveries due"


@task()
def deliver(*, delivery_id: int) -> str:
    """The worker's task: one attempt. A failure to be tried again comes back as a deferred
    task when the backend can defer (the worker), else with send_reminders' next run."""
    row = webhook_deliver(delivery_id=delivery_id)
    if row is None:
        return "not due"
    if row.next_try_at is not None and deliver.get_backend().supports_defer:
        deliver.using(run_after=row.next_try_at).enqueue(delivery_id=row.pk)
    return row.state
