"""What the weekly email keeps: which member's week was looked at, and up to when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklyEmail(models.Model):
    """One member's week, recorded in the transaction that queued its email (or found nothing
    new): the unique (member, week) makes it once a week whoever runs the job, and the next
    week's email covers what came after `until`."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The Monday that starts the member's week, in their time zone (or the group's).
    week = models.DateField()
    until = models.DateTimeField()
    # False when nothing was new that week: the week counts, no email was queued.
    emailed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("weekly email")
        verbose_name_plural = _("weekly emails")
        constraints = [
            models.UniqueConstraint(fields=["member", "week"], name="home_weekly_once_a_week")
        ]

    def __str__(self):
        return f"{self.member_id} {self.week:%Y-%m-%d}"


class ExitBundleState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATES = (ExitBundleState.QUEUED, ExitBundleState.BUILDING)


class ExitBundle(models.Model):
    """One build of the group's exit bundle (its public site as static files, home/exitbundle.py):
    built by the task worker, kept in the media storage until `expires_at`."""

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="exit_bundles")
    state = models.CharField(
        _("state"), max_length=20, choices=ExitBundleState.choices, default=ExitBundleState.QUEUED
    )
    pages_done = models.PositiveIntegerField(_("files done"), default=0)
    pages_total = models.PositiveIntegerField(_("files found"), default=0)
    errors = models.TextField(_("errors"), blank=True)
    archive = models.FileField(_("archive"), upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)

    class Meta:
        verbose_name = _("exit bundle")
        verbose_name_plural = _("exit bundles")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(state__in=["queued", "building"]),
                name="home_exitbundle_one_build_at_a_time",
            )
        ]

    def __str__(self):
        return _("Exit bundle of %(when)s") % {"when": f"{self.created_at:%Y-%m-%d %H:%M}"}
