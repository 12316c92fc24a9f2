"""Webhooks through the real machinery: an organizer publishes, the change commits, the
task worker (db_worker, as tests/events/test_notifications_worker.py runs it) POSTs to a
receiver on 127.0.0.31 that checks the signature with README's recipe; a receiver answering
500 gets retries with growing delays, then success; a dead address shows as failing."""

import json
import socket
import time

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from api.models import DeliveryState, Webhook, WebhookDelivery
from events import services
from events.models import EventStatus
from tests.api.receiver import Receiver, readme_verify
from tests.events.test_notifications_worker import DATABASE_TASKS, run_worker  # noqa: F401
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)

ALL = ["event.published", "event.changed", "event.cancelled"]


def _work_until(run_worker, done, *, seconds: float = 30) -> int:  # noqa: F811
    """Runs the worker's batches until done() (bounded); returns how many batches ran."""
    deadline = time.monotonic() + seconds
    batches = 0
    while not done():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        run_worker()
        batches += 1
        time.sleep(0.05)
    return batches


def test_worker_delivers_signed_and_retries_500_with_growing_delays(
    group,
    organizer,
    settings,
    run_worker,  # noqa: F811
):
    settings.TASKS = DATABASE_TASKS
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    settings.POTLUCK_WEBHOOK_RETRY_SECONDS = 0.5
    draft = EventFactory(status=EventStatus.DRAFT, title="Cooperative Futures")
    with Receiver(statuses=[500, 500, 200]) as receiver:
        hook = Webhook.objects.create(url=receiver.url, changes=ALL)
        receiver.secret = hook.secret  # it answers 401 to a POST its check refuses
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
        [row] = WebhookDelivery.objects.all()
        assert row.state == DeliveryState.PENDING
        assert DBTaskResult.objects.get().task_path == "api.services.deliver"
        _work_until(run_worker, lambda: len(receiver.received) == 3)
    row.refresh_from_db()
    assert receiver.refused == 0
    assert (row.state, row.attempts, row.last_status, row.last_error) == (
        DeliveryState.DELIVERED,
        3,
        200,
        "",
    )
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
    verify = readme_verify()
    for received in receiver.received:
        assert received.path == "/hook?x=1"
        assert received.body == row.body.encode()
        assert received.headers["X-Potluck-Delivery"] == str(row.pk)
        assert received.headers["X-Potluck-Event"] == "event.published"
        assert verify(hook.secret, received.headers, received.body)
        assert not verify("another secret", received.headers, received.body)
        assert not verify(hook.secret, received.headers, received.body + b" ")
    first, second, third = (r.at for r in receiver.received)
    # 0.5 s, then 1.5 s (the worker's polling adds a little to each).
    assert 0.5 <= second - first < 1.5 <= third - second < 3.5
    payload = json.loads(receiver.received[0].body)
    assert payload["event"] == "event.published"
    assert payload["id"] == row.pk
    assert payload["data"]["title"] == "Cooperative Futures"
    assert payload["data"]["id"] == draft.pk
    assert sorted(payload) == ["data", "event", "id", "occurred_at"]


def test_dead_address_shows_as_failing_to_organizers(
    client,
    group,
    organizer,
    settings,
    run_worker,  # noqa: F811
):
    settings.TASKS = DATABASE_TASKS
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    with socket.socket() as closed:
        closed.bind(("127.0.0.31", 0))
        port = closed.getsockname()[1]
    Webhook.objects.create(url=f"http://127.0.0.31:{port}/gone", changes=ALL)
    draft = EventFactory(status=EventStatus.DRAFT)
    services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    _work_until(run_worker, lambda: WebhookDelivery.objects.get().attempts == 1)
    row = WebhookDelivery.objects.get()
    assert row.state == DeliveryState.RETRYING
    assert "ConnectionRefusedError" in row.last_error
    client.force_login(organizer)
    page = client.get("/admin/").content.decode()
    assert "1 webhook delivery failing</a>" in page
