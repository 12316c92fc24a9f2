"""Announcements organizers send to the group."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.markdown import StoredMarkdown
from groups.models import Group

from .writing import BODY_MAX, MARKDOWN_HELP, TITLE_MAX


class AnnouncementQuerySet(models.QuerySet):
    def published(self, now=None):
        """On the site: its time has come (sent now, or a scheduled one that is due)."""
        return self.filter(send_at__lte=now or timezone.now())

    def due(self, now=None):
        """Scheduled, due and not emailed yet."""
        return self.published(now).filter(emailed_at__isnull=True)


class Announcement(models.Model):
    """A post from the organizers to the group: on the site, and emailed to every member who
    has not turned announcements off, now or at a set time."""

    MARKDOWN_FIELDS = ("body",)

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("group")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    subject = models.CharField(_("subject"), max_length=TITLE_MAX)
    body = models.TextField(_("message"), max_length=BODY_MAX, help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False, default="")
    send_at = models.DateTimeField(
        _("send at"), help_text=_("When it appears on the site and is emailed.")
    )
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)

    objects = AnnouncementQuerySet.as_manager()
    html = property(StoredMarkdown)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-send_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "-send_at", "-id"], name="conv_announcement_list_idx"),
            models.Index(
                fields=["send_at"],
                condition=Q(emailed_at__isnull=True),
                name="conv_announcement_due_idx",
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("conversation:announcement", args=[self.pk])
