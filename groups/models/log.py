"""The transparency log: what organizers and hosts did that affects members."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .groups import Group


class LogKind(models.TextChoices):
    """What the transparency log records: what organizers and hosts did that affects members."""

    EVENT_PUBLISHED = "event_published", _("Event published")
    EVENT_CHANGED = "event_changed", _("Event changed")
    EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
    EVENT_UNPUBLISHED = "event_unpublished", _("Event returned to draft")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REMOVED = "role_removed", _("Role removed")
    MEMBER_REMOVED = "member_removed", _("Member removed")
    MEMBER_BANNED = "member_banned", _("Member banned")
    POLL_OPENED = "poll_opened", _("Poll opened")
    POLL_CLOSED = "poll_closed", _("Poll closed")
    POLL_SCHEDULED = "poll_scheduled", _("Date poll turned into an event")
    OUTCOME_WRITTEN = "outcome_written", _("Outcome written")
    DECISION_OPENED = "decision_opened", _("Consent proposal opened")
    DECISION_CLOSED = "decision_closed", _("Consent proposal closed")
    PROPOSAL_DECLINED = "proposal_declined", _("Proposal declined")
    PROPOSAL_SCHEDULED = "proposal_scheduled", _("Proposal scheduled")
    SETTING_CHANGED = "setting_changed", _("Setting changed by the members")
    JOIN_APPROVED = "join_approved", _("Request to join approved")
    JOIN_DECLINED = "join_declined", _("Request to join declined")
    POLL_CANCELLED = "poll_cancelled", _("Poll cancelled")
    CONTENT_HIDDEN = "content_hidden", _("Post hidden")
    MEMBER_MUTED = "member_muted", _("Member muted")
    MEMBER_WARNED = "member_warned", _("Member warned")
    ANNOUNCEMENT_SENT = "announcement_sent", _("Announcement sent")
    ATTENDEE_ADDED = "attendee_added", _("Attendee added by a host")
    ATTENDEE_MOVED = "attendee_moved", _("Attendee moved by a host")
    CAPACITY_RAISED = "capacity_raised", _("Capacity raised by a host")
    DISCUSSION_DELETED = "discussion_deleted", _("Discussion deleted")
    ACTION_WITHDRAWN = "action_withdrawn", _("Request to a second organizer withdrawn")


class LogEntryQuerySet(models.QuerySet):
    """The log only grows: a queryset cannot change or delete entries (an account's deletion
    still empties its references, and deleting the whole group takes its log with it)."""

    def update(self, **kwargs):
        raise TypeError("transparency log entries cannot be changed")

    def delete(self):
        raise TypeError("transparency log entries cannot be deleted")


class LogEntry(models.Model):
    """One thing organizers or hosts did that affects members, recorded once, when it happened,
    by the service that did it (groups.services.log_record). Shown to members at /log/.

    Never changed nor deleted: save() refuses an existing row, the admin only shows them, and in
    PostgreSQL a trigger (migrations 0015 and 0022) refuses any UPDATE but emptying a deleted
    account's reference, and any DELETE but the whole group's. Each entry is chained to the one
    before it (groups.logchain), so a change made past all that still shows.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="log_entries")
    kind = models.CharField(_("what happened"), max_length=30, choices=LogKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The member a role was granted to or taken from; nobody for removals and bans, whose
    # entries say that a member was removed, not who (the reason stays private too).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    title = models.CharField(_("about"), max_length=200, blank=True)
    url = models.CharField(_("address"), max_length=300, blank=True)
    detail = models.TextField(_("details"), blank=True)
    # The second organizer who confirmed a destructive act (groups.services.action_confirm).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    # Set for what must be recorded once only (a poll closing): unique within the group.
    key = models.CharField(_("key"), max_length=80, blank=True, editable=False)
    # Who acted, on whom, who confirmed: the accounts' ids when the entry was written, hashed
    # (groups.logchain) and kept when an account's deletion empties the references above.
    actor_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    member_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    confirmed_by_ref = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # The hash chain (groups.logchain): the group's entry before this one, and this one's.
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("transparency log entry")
        verbose_name_plural = _("transparency log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(
                "group", models.F("at").desc(), models.F("id").desc(), name="groups_log_page_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=LogKind.values), name="groups_logentry_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["group", "key"],
                condition=~models.Q(key=""),
                name="groups_logentry_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("transparency log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("transparency log entries cannot be deleted")
