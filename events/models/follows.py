"""Members who follow a series: an email when a new date of it is published."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .places import Series


class SeriesFollow(models.Model):
    """One member following one series (the toggle on the series page); the follow goes with
    the account (members.services.member_delete: the row cascades) and is in its export."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="series_follows",
    )
    series = models.ForeignKey(
        Series, verbose_name=_("series"), on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("series follow")
        verbose_name_plural = _("series follows")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "series"], name="events_seriesfollow_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.series}"
