"""Destructive acts that wait for a second organizer (issue 27, item 6)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .groups import Group

# A request nobody confirmed in this long lapses: it can no longer be confirmed.
PENDING_LAPSES_AFTER = timedelta(days=7)


class PendingActionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a second organizer")
    DONE = "done", _("Confirmed and done")
    WITHDRAWN = "withdrawn", _("Withdrawn by whoever asked")


class PendingActionQuerySet(models.QuerySet):
    def waiting(self, *, now=None):
        """Still waiting and not lapsed."""
        now = now or timezone.now()
        return self.filter(
            status=PendingActionStatus.WAITING, requested_at__gt=now - PENDING_LAPSES_AFTER
        )


class PendingAction(models.Model):
    """Banning, removing, deleting the group, cancelling a poll or deleting a discussion, asked
    for by one organizer where the group has two or more: done only when another organizer
    confirms it (groups.confirmations). kind is a key of groups.confirmations.action_kinds,
    which each app fills with its own acts; target is that act's object (its primary key)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="pending_actions")
    kind = models.CharField(_("what"), max_length=40)
    target = models.PositiveBigIntegerField(_("target"))
    title = models.CharField(_("about"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PendingActionStatus.choices,
        default=PendingActionStatus.WAITING,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = PendingActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action waiting for a second organizer")
        verbose_name_plural = _("actions waiting for a second organizer")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PendingActionStatus.values),
                name="groups_pendingaction_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("action_confirm", args=[self.pk])

    def lapses_at(self):
        return self.requested_at + PENDING_LAPSES_AFTER

    def is_lapsed(self, *, now=None) -> bool:
        return (now or timezone.now()) >= self.lapses_at()
