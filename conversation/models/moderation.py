"""Edit history, reports and mutes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from groups.models import Group

from .writing import TITLE_MAX, Comment, Reply, Thread


def _one_item() -> Q:
    """Exactly one of comment, thread and reply is set."""
    return (
        Q(comment__isnull=False, thread__isnull=True, reply__isnull=True)
        | Q(comment__isnull=True, thread__isnull=False, reply__isnull=True)
        | Q(comment__isnull=True, thread__isnull=True, reply__isnull=False)
    )


class Revision(models.Model):
    """What a comment, discussion or reply said before its author edited it (organizers
    read the history in the admin)."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    title = models.CharField(_("title before"), max_length=TITLE_MAX, blank=True)
    body = models.TextField(_("text before"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["replaced_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_one_item(), name="conversation_revision_one_item")
        ]

    def __str__(self):
        return _("Version replaced %(when)s") % {"when": f"{self.replaced_at:%Y-%m-%d %H:%M}"}


class ReportReason(models.TextChoices):
    DISRESPECTFUL = "disrespectful", _("Disrespectful or harassing")
    SPAM = "spam", _("Spam or advertising")
    OFF_TOPIC = "off_topic", _("Off topic")
    PRIVATE = "private", _("Shares someone's private information")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Dealt with")


class ReportAction(models.TextChoices):
    DISMISS = "dismiss", _("Nothing to do")
    HIDE = "hide", _("Hide it")
    DELETE = "delete", _("Delete it")
    WARN = "warn", _("Warn the author")
    MUTE = "mute", _("Hide it and mute the author in conversations")
    REMOVE = "remove", _("Hide it and remove the author from the group")
    BAN = "ban", _("Hide it and ban the author")


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ReportStatus.OPEN)


class Report(models.Model):
    """A member tells the organizers that a comment, discussion or reply needs a look."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("comment"),
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("discussion"),
    )
    reply = models.ForeignKey(
        Reply,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reply"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_filed",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    # What the item said when it was reported (the author may edit or delete it after).
    excerpt = models.TextField(_("what it said"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    action = models.CharField(_("action"), max_length=20, choices=ReportAction.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dealt with by"),
    )
    resolved_at = models.DateTimeField(_("dealt with"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="conv_report_status_idx")]

    def __str__(self):
        return _("Report #%(pk)s: %(reason)s") % {
            "pk": self.pk,
            "reason": self.get_reason_display(),
        }

    @property
    def item(self):
        return self.comment or self.thread or self.reply


class Mute(ConstraintFieldsMixin, models.Model):
    """A member who may read but not post in conversations, without being removed."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="mutes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mutes",
        verbose_name=_("member"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("muted by"),
    )
    reason = models.TextField(
        _("reason"), max_length=2000, blank=True, help_text=_("For the organizers only.")
    )
    until = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: until an organizer lifts it.")
    )
    created_at = models.DateTimeField(_("muted"), default=timezone.now)

    constraint_fields = {"muted_already": "member"}

    class Meta:
        verbose_name = _("muted member")
        verbose_name_plural = _("muted members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                name="conversation_mute_once",
                violation_error_message=_(
                    "This member is muted already: open their mute to change it."
                ),
                violation_error_code="muted_already",
            ),
        ]

    def __str__(self):
        return str(self.member)
