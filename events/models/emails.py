"""The log of every email sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("RSVP confirmation")
    WAITLISTED = "waitlisted", _("Joined the waitlist")
    PROMOTED = "promoted", _("Promoted from the waitlist")
    CHANGED = "changed", _("Event changed")
    CANCELLED = "cancelled", _("Event cancelled")
    REMINDER = "reminder", _("Reminder")
    ANNOUNCEMENT = "announcement", _("New event announced")
    MESSAGE = "message", _("Message from organizers")
    HOST_CANCELLED = "host_cancelled", _("RSVP changed to not going by a host")
    NO_SHOW_NOTE = "no_show_note", _("Note about missed events")
    # The conversation app's emails (conversation/tasks.py sends them).
    GROUP_POST = "group_post", _("Announcement to the group")
    REPLY = "reply", _("New reply in a followed discussion")
    DIGEST = "digest", _("Daily digest of discussions")
    WARNING = "warning", _("Warning from the organizers")
    # The decisions app's emails (decisions/tasks.py sends them).
    PROPOSAL = "proposal", _("New proposal")
    POLL = "poll", _("New poll")
    POLL_REMINDER = "poll_reminder", _("Reminder of a poll closing")


# The kinds conversation.tasks.send_batch sends; events.tasks.send_batch sends the others.
CONVERSATION_EMAIL_KINDS = frozenset(
    {EmailKind.GROUP_POST, EmailKind.REPLY, EmailKind.DIGEST, EmailKind.WARNING}
)


# The kinds decisions.tasks.send_batch sends.
DECISIONS_EMAIL_KINDS = frozenset({EmailKind.PROPOSAL, EmailKind.POLL, EmailKind.POLL_REMINDER})


class EmailOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailLog(models.Model):
    """One email Potluck sent (or failed to send), so organizers can see what went out."""

    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    # No database constraints on these references: a foreign key check would lock the event
    # row the worker logs about, and deadlock with RSVPs that lock it for seat counting.
    # Django still sets them to NULL when the member or event goes.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    address = models.EmailField(_("address"), blank=True)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    sent_at = models.DateTimeField(_("time"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=EmailOutcome.choices)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("email sent")
        verbose_name_plural = _("emails sent")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["kind", "event"], name="events_emaillog_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address or _('a former member')}"
