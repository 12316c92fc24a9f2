"""What members write: comments on events, discussions and replies, and who follows what."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.markdown import StoredMarkdown
from events.models import Event
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


class Category(ConstraintFieldsMixin, models.Model):
    """A section of the discussion board ("General", "Projects"…); organizers move threads."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="categories", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    constraint_fields = {"category_name_taken": "name"}

    class Meta:
        verbose_name = _("discussion category")
        verbose_name_plural = _("discussion categories")
        ordering = ["position", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "group",
                models.functions.Lower("name"),
                name="conversation_category_name_unique",
                violation_error_message=_("There is already a category with this name."),
                violation_error_code="category_name_taken",
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
