"""Webhooks: which changes queue a delivery, the address guard, signing, back-off, and the
log organizers read."""

import json
import socket
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from api import delivery
from api.admin import WebhookForm
from api.models import DeliveryState, Webhook, WebhookDelivery
from api.services import MAX_ATTEMPTS, retry_delay, webhook_deliver, webhooks_queue
from events import services
from events.models import EventStatus
from tests.api.receiver import Receiver, readme_verify
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

ALL = ["event.published", "event.changed", "event.cancelled"]


def _hook(url="https://203.0.113.7/hook", changes=ALL, **fields) -> Webhook:
    return Webhook.objects.create(url=url, changes=changes, **fields)


def _queued():
    return list(WebhookDelivery.objects.order_by("pk").values_list("webhook__url", "change"))


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://93.184.215.14/hook", ""),
        ("https://203.0.113.7/hook", "private"),  # documentation range: not on the internet
        ("https://[2001:4860:4860::8888]/hook", ""),
        ("http://203.0.113.7/hook", "The address must start with https://."),
        ("ftp://203.0.113.7/", "The address must start with https://."),
        ("https://127.0.0.1/hook", "private"),
        ("https://127.0.0.31:8000/hook", "private"),
        ("https://10.1.2.3/", "private"),
        ("https://192.168.1.1/", "private"),
        ("https://169.254.169.254/latest/meta-data/", "private"),
        ("https://[::1]/", "private"),
        ("https://[::ffff:127.0.0.1]/", "private"),
        ("https://0.0.0.0/", "private"),
        ("https://localhost/", "private"),
    ],
)
def test_address_guard_refuses_private_and_loopback(url, refused, settings):
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = False
    problem = delivery.refused_address(url)
    if refused:
        assert refused in problem
    else:
        assert problem == ""


def test_loopback_over_http_only_when_settings_allow(settings):
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    assert delivery.refused_address("http://127.0.0.31:9/hook") == ""
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = False
    assert "https://" in delivery.refused_address("http://127.0.0.31:9/hook")


def test_admin_form_refuses_a_private_address_and_keeps_the_changes_in_order(settings):
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = False
    form = WebhookForm(data={"url": "https://10.0.0.8/", "changes": ["event.changed"]})
    assert not form.is_valid()
    assert "private" in form.errors["url"][0]
    form = WebhookForm(
        data={"url": "https://93.184.215.14/", "changes": ["event.cancelled", "event.published"]}
    )
    assert form.is_valid(), form.errors
    hook = form.save()
    assert hook.changes == ["event.published", "event.cancelled"]
    assert len(hook.secret) == 64


def test_a_private_address_is_refused_at_delivery_too(group, settings):
    """A webhook saved when its name pointed elsewhere, or written around the admin."""
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = False
    hook = _hook(url="https://127.0.0.1:9/hook")
    event = EventFactory()
    row = WebhookDelivery.objects.create(
        webhook=hook, change="event.published", event=event, occurred_at=timezone.now()
    )
    row = webhook_deliver(delivery_id=row.pk)
    assert (row.state, row.last_status, row.attempts) == (DeliveryState.RETRYING, None, 1)
    assert "private" in row.last_error


def test_changes_visitors_see_queue_one_delivery_per_hook_that_asked(
    group, organizer, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    _hook("https://203.0.113.1/all")
    _hook("https://203.0.113.2/cancel", changes=["event.cancelled"])
    _hook("https://203.0.113.3/off", active=False)
    draft = EventFactory(status=EventStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "Edited while a draft"
        services.event_save(event=draft, by=organizer, changed_fields=["title"])
    assert _queued() == []  # a draft's edits are nobody's business
    with django_capture_on_commit_callbacks(execute=True):
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    assert _queued() == [("https://203.0.113.1/all", "event.published")]
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "New title"
        services.event_save(event=draft, by=organizer, changed_fields=["title"])
    with django_capture_on_commit_callbacks(execute=True):
        services.event_set_status(event=draft, status=EventStatus.CANCELLED, by=organizer)
    assert _queued() == [
        ("https://203.0.113.1/all", "event.published"),
        ("https://203.0.113.1/all", "event.changed"),
        ("https://203.0.113.1/all", "event.cancelled"),
        ("https://203.0.113.2/cancel", "event.cancelled"),
    ]
    # Each body was written after the commit, as the API shows the event then.
    bodies = [json.loads(row.body) for row in WebhookDelivery.objects.order_by("pk")]
    assert [(b["event"], b["data"]["title"], b["data"]["status"]) for b in bodies] == [
        ("event.published", "Edited while a draft", "published"),
        ("event.changed", "New title", "published"),
        ("event.cancelled", "New title", "cancelled"),
        ("event.cancelled", "New title", "cancelled"),
    ]
    assert bodies[0]["id"] == WebhookDelivery.objects.order_by("pk").first().pk


def test_a_change_that_rolls_back_queues_nothing(group, organizer):
    _hook()
    draft = EventFactory(status=EventStatus.DRAFT)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
        assert len(_queued()) == 1
        raise RuntimeError("the change failed")
    assert _queued() == []


def test_retry_delays_grow_and_stop_after_max_attempts(group, settings):
    settings.POTLUCK_WEBHOOK_RETRY_SECONDS = 30
    assert [retry_delay(n).total_seconds() for n in range(1, 8)] == [
        30,
        90,
        270,
        810,
        2430,
        7290,
        21600,  # at most 6 hours
    ]
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    with socket.socket() as closed:  # a port that nobody listens on
        closed.bind(("127.0.0.31", 0))
        port = closed.getsockname()[1]
    hook = _hook(url=f"http://127.0.0.31:{port}/dead")
    event = EventFactory()
    webhooks_queue(event=event, change="published")
    [row] = WebhookDelivery.objects.all()
    now = timezone.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        row = webhook_deliver(delivery_id=row.pk, now=now)
        assert row.attempts == attempt
        now = (row.next_try_at or now) + timedelta(seconds=1)
    assert (row.state, row.attempts, row.next_try_at) == (DeliveryState.FAILED, MAX_ATTEMPTS, None)
    assert "ConnectionRefusedError" in row.last_error
    assert hook.deliveries.count() == 1


def test_a_retry_is_not_taken_before_its_time(group, settings):
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver(statuses=[503, 200]) as receiver:
        _hook(url=receiver.url)
        webhooks_queue(event=EventFactory(), change="published")
        [row] = WebhookDelivery.objects.all()
        row = webhook_deliver(delivery_id=row.pk)
        assert (row.state, row.last_status) == (DeliveryState.RETRYING, 503)
        assert row.last_error.startswith("HTTP 503: xxx")
        assert len(row.last_error) == delivery.MAX_ERROR_CHARS  # 200 KB answered, 500 kept
        assert webhook_deliver(delivery_id=row.pk) is None  # not due yet
        later = row.next_try_at + timedelta(seconds=1)
        row = webhook_deliver(delivery_id=row.pk, now=later)
        assert (row.state, row.last_status, row.attempts) == (DeliveryState.DELIVERED, 200, 2)
    first, second = receiver.received
    assert first.body == second.body  # the same bytes on every attempt
    verify = readme_verify()
    assert verify(row.webhook.secret, second.headers, second.body)


def test_a_slow_receiver_times_out(group, settings, monkeypatch):
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr(delivery, "TIMEOUT", 0.3)
    with Receiver(statuses=[200], delay=1.5) as receiver:
        _hook(url=receiver.url)
        webhooks_queue(event=EventFactory(), change="published")
        [row] = WebhookDelivery.objects.all()
        row = webhook_deliver(delivery_id=row.pk)
    assert (row.state, row.last_status) == (DeliveryState.RETRYING, None)
    assert "timed out" in row.last_error


def test_failing_deliveries_show_on_the_admin_home_and_in_the_log(client, group, organizer):
    hook = _hook()
    event = EventFactory()
    for state in (DeliveryState.RETRYING, DeliveryState.FAILED, DeliveryState.DELIVERED):
        WebhookDelivery.objects.create(
            webhook=hook,
            change="event.published",
            event=event,
            occurred_at=timezone.now(),
            state=state,
            attempts=1,
            last_error="HTTP 500: down",
        )
    client.force_login(organizer)
    page = client.get("/admin/").content.decode()
    link = '<a href="/admin/api/webhookdelivery/?state__in=retrying,failed">'
    assert f"{link}2 webhook deliveries failing</a>" in page
    listing = client.get("/admin/api/webhookdelivery/?state__in=retrying,failed")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2
    row = WebhookDelivery.objects.first()
    detail = client.get(f"/admin/api/webhookdelivery/{row.pk}/change/")
    assert detail.status_code == 200
    assert "HTTP 500: down" in detail.content.decode()
    assert client.get("/admin/api/webhook/add/").status_code == 200
    secret_page = client.get(f"/admin/api/webhook/{hook.pk}/change/").content.decode()
    assert hook.secret in secret_page


@pytest.mark.parametrize(
    ("before", "status", "fields", "change"),
    [
        (None, "published", set(), "published"),  # created public
        (None, "draft", set(), None),
        ("draft", "published", set(), "published"),
        ("cancelled", "published", set(), "published"),  # published again
        ("published", "published", {"title"}, "changed"),
        ("published", "published", {"updated_by", "sequence"}, None),  # bookkeeping only
        ("draft", "draft", {"title"}, None),
        ("published", "cancelled", set(), "cancelled"),
        ("draft", "cancelled", set(), None),  # nobody saw it
        ("cancelled", "cancelled", {"title"}, None),
        ("published", "draft", set(), None),
    ],
)
def test_public_change_names_what_visitors_see(before, status, fields, change):
    assert services.public_change(before=before, status=status, fields=fields) == change


def test_a_receiver_refuses_a_delivery_signed_with_another_secret(group, settings):
    settings.POTLUCK_WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver(statuses=[200], secret="the receiver's own secret") as receiver:
        _hook(url=receiver.url)
        webhooks_queue(event=EventFactory(), change="published")
        row = webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk)
    assert (row.state, row.last_status, receiver.refused) == (DeliveryState.RETRYING, 401, 1)
