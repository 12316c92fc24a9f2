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
