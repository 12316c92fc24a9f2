"""Webhooks: addresses organizers register, and each delivery to them (README "Webhooks")."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event


class WebhookChange(models.TextChoices):
    """What a webhook can be told of: events.hooks.event_changed's changes."""

    PUBLISHED = "event.published", _("An event is published")
    CHANGED = "event.changed", _("A published event changes")
    CANCELLED = "event.cancelled", _("An event is cancelled")


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """An address that receives a signed POST when an event is published, changed or
    cancelled."""

    url = models.URLField(
        _("address"),
        max_length=500,
        help_text=_("Where Potluck POSTs the JSON: an https:// address on the internet."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    changes = models.JSONField(
        _("sent on"),
        default=list,
        help_text=_("The changes this address is told of."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=64,
        default=new_secret,
        editable=False,
        help_text=_("The receiver checks the signature with it (README “Webhooks”)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["url", "pk"]

    def __str__(self):
        return self.description or self.url

    def clean(self):
        from .delivery import refused_address

        problem = refused_address(self.url)
        if problem:
            from django.core.exceptions import ValidationError

            raise ValidationError({"url": problem})
        self.changes = [c for c in WebhookChange.values if c in (self.changes or [])]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    RETRYING = "retrying", _("Failed, trying again")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed for good")


class WebhookDelivery(models.Model):
    """One POST to one webhook, its attempts and how the receiver answered."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    change = models.CharField(_("change"), max_length=30, choices=WebhookChange.choices)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred"))
    # The exact bytes signed and sent (UTF-8 JSON), written once, the same on every attempt.
    body = models.TextField(_("body"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # Who holds it: a worker claims a delivery by moving this ahead (a lease, as the outbox's).
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_try_at"], name="api_delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.change} → {self.webhook}"
