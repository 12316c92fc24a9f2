"""What organizers are told of (a request to join, a report, a takedown request) and how each
organizer chose to hear of it: at once, in a daily digest, or never."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .groups import Group


class AlertChoice(models.TextChoices):
    """An organizer's choice on /me/ (members.User.organizer_alerts)."""

    AT_ONCE = "at_once", _("An email for each, at once")
    DIGEST = "daily", _("One email a day listing them")
    NEVER = "never", _("No email (the admin home lists them)")


class OrganizerAlert(models.Model):
    """One thing an organizer who chose the daily digest has yet to be told of; the digest
    that lists it sets digested_at, in the transaction that queues it, so nothing is told
    twice and nothing is lost."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("organizer alert")
        verbose_name_plural = _("organizer alerts")
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(digested_at__isnull=True),
                name="groups_alert_undigested_idx",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"
