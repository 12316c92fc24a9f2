"""What the api app registers with the apps below it (core/registry.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from core import adminhome, generations
from core import hooks as core_hooks
from events import hooks as events_hooks
from events.models import Event

from . import services
from .models import DeliveryState, Webhook, WebhookDelivery

# Failures older than this no longer stand on the admin home (the log keeps them).
FAILING_FOR = timedelta(days=7)


def queue_webhooks(*, event_id: int, change: str | None, **_) -> None:
    event = Event.objects.filter(pk=event_id).first() if change else None
    if event is not None:
        services.webhooks_queue(event=event, change=change)


def failing_webhooks(request):
    """The admin home's line: deliveries of the past week that have not gone through yet
    (trying again) or never will (failed), so a dead address shows at once."""
    if not request.user.has_perm("api.view_webhookdelivery"):
        return
    since = timezone.now() - FAILING_FOR
    count = WebhookDelivery.objects.filter(
        state__in=[DeliveryState.RETRYING, DeliveryState.FAILED], occurred_at__gte=since
    ).count()
    yield adminhome.Waiting(
        count=count,
        text=ngettext(
            "%(counter)s webhook delivery failing",
            "%(counter)s webhook deliveries failing",
            count,
        )
        % {"counter": count},
        url=reverse("admin:api_webhookdelivery_changelist") + "?state__in=retrying,failed",
        order=90,
    )


def register() -> None:
    events_hooks.event_changed.register(queue_webhooks)
    core_hooks.periodic.register(services.periodic)
    adminhome.waiting.register(failing_webhooks)
    # Bookkeeping no page shows: a delivery's save moves no page counter.
    generations.not_shown(Webhook)
    generations.not_shown(WebhookDelivery)
