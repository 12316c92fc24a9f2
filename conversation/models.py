"""Conversation: questions and comments on events, the members' discussion board,
announcements to the group, and what keeps it civil (reports, mutes, edit history)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from groups.markdown import StoredMarkdown
from groups.models import Group

BODY_MAX = 10_000
MARKDOWN_HELP = _("Markdown: **bold**, *italics*, [a link](https://example.org), lists.")
TITLE_MAX = 150


class WritingQuerySet(models.QuerySet):
    def shown(self):
        """What members read: not hidden by an organizer (a deleted comment or discussion
        stays as a marker while others' replies hang on it)."""
        return self.filter(hidden_at__isnull=True)


class Writing(models.Model):
    """What a member writes in conversations: a comment, a discussion, a reply. Markdown,
    stored rendered and sanitized; edited by its author, hidden by moderators."""

    MARKDOWN_FIELDS = ("body",)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # kept, signed "a former member", if the author chose so
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"), max_length=BODY_MAX, help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False, default="")
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    html = property(StoredMarkdown)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentQuerySet(WritingQuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)


class Comment(Writing):
    """A question or comment on an event; a reply sits one level below its parent."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="comments", verbose_name=_("event")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # The author was an organizer or one of the event's hosts when they wrote it.
    by_host = models.BooleanField(_("by a host or organizer"), default=False)
    pinned = models.BooleanField(_("pinned"), default=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("event comment")
        verbose_name_plural = _("event comments")
        ordering = ["created_at", "pk"]
        indexes = [
            # The event page's order of shown top-level comments (views.comment_page): a page
            # reads its rows in index order and stops, however many comments there are.
            models.Index(
                "event",
                models.F("pinned").desc(),
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=Q(parent__isnull=True, hidden_at__isnull=True),
                name="conv_comment_page_idx",
            ),
            models.Index(fields=["parent", "created_at"], name="conv_comment_replies_idx"),
            models.Index(fields=["author", "created_at"], name="conv_comment_author_idx"),
        ]

    def __str__(self):
        return _("Comment #%(pk)s on %(event)s") % {"pk": self.pk, "event": self.event.title}

    def get_absolute_url(self):
        return reverse("conversation:comment", args=[self.event.slug, self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Category(models.Model):
    """A section of the discussion board ("General", "Projects"…); organizers move threads."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="categories", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("discussion category")
        verbose_name_plural = _("discussion categories")
        ordering = ["position", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "group", models.functions.Lower("name"), name="conversation_category_name_unique"
            ),
        ]

    def __str__(self):
        return self.name


class ThreadQuerySet(WritingQuerySet):
    def board_order(self):
        """Pinned first, then newest activity first (conv_thread_board_idx)."""
        return self.order_by("-pinned", "-last_activity_at", "-pk")


class Thread(Writing):
    """A discussion on the members' board: a title, an opening post and its replies."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="threads", verbose_name=_("group")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("No new replies; what is there stays.")
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # Shown replies, kept by the services so the board never counts per row.
    reply_count = models.PositiveIntegerField(_("replies"), default=0)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        ordering = ["-pinned", "-last_activity_at", "-pk"]
        indexes = [
            models.Index(
                "group",
                models.F("pinned").desc(),
                models.F("last_activity_at").desc(),
                models.F("id").desc(),
                name="conv_thread_board_idx",
            ),
            models.Index(fields=["author", "created_at"], name="conv_thread_author_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conversation:thread", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reply(Writing):
    """A reply in a discussion."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="replies", verbose_name=_("discussion")
    )

    objects = WritingQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]
        indexes = [
            # A thread's shown replies in page order; OFFSET walks this index alone.
            models.Index(
                fields=["thread", "created_at", "id"],
                condition=Q(hidden_at__isnull=True),
                name="conv_reply_page_idx",
            ),
            models.Index(fields=["author", "created_at"], name="conv_reply_author_idx"),
        ]

    def __str__(self):
        return _("Reply #%(pk)s in “%(thread)s”") % {"pk": self.pk, "thread": self.thread}

    def get_absolute_url(self):
        return reverse("conversation:reply", args=[self.thread_id, self.pk])


class Follow(models.Model):
    """A member follows a discussion: emails about its new replies (each, or a daily digest)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="conversation_follow_once"),
        ]

    def __str__(self):
        return f"{self.member} → {self.thread}"


class Digest(models.Model):
    """When a member's last daily digest went out: the next one covers what came after."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")

    def __str__(self):
        return f"{self.member_id} {self.sent_at:%Y-%m-%d %H:%M}"


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


class Mute(models.Model):
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

    class Meta:
        verbose_name = _("muted member")
        verbose_name_plural = _("muted members")
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="conversation_mute_once"),
        ]

    def __str__(self):
        return str(self.member)
