"""The group as a fediverse actor: its keys and switches, who follows it and whom it follows,
the remote actors it has met, the instances organizers block, and each signed delivery to
another server's inbox."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from groups.models import Group


class Actor(models.Model):
    """The group's federation settings and its RSA key pair (made once, kept in the database)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="actor")
    enabled = models.BooleanField(
        _("federation on"),
        default=False,
        help_text=_(
            "On: the group can be found and followed from Mastodon, Mobilizon and other "
            "fediverse servers, and its published events are sent to its followers."
        ),
    )
    replies = models.BooleanField(
        _("take replies from the fediverse"),
        default=False,
        help_text=_(
            "On: replies to an event written on other servers wait for an organizer under "
            "“Replies from the fediverse”; once approved they show among the event's comments."
        ),
    )
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("federation setting")
        verbose_name_plural = _("federation settings")

    def __str__(self):
        return str(self.group)


class RemoteActorQuerySet(models.QuerySet):
    def fresh(self, now=None, *, max_age):
        return self.filter(fetched_at__gt=(now or timezone.now()) - max_age)


class RemoteActor(models.Model):
    """A fediverse account or server Potluck has fetched: where to deliver and its key."""

    uri = models.URLField(_("address"), max_length=500, unique=True)
    key_id = models.URLField(_("key"), max_length=500, db_index=True)
    public_key_pem = models.TextField(_("public key"))
    inbox = models.URLField(_("inbox"), max_length=500)
    shared_inbox = models.URLField(_("shared inbox"), max_length=500, blank=True)
    username = models.CharField(_("name"), max_length=200, blank=True)
    name = models.CharField(_("display name"), max_length=200, blank=True)
    url = models.URLField(_("profile"), max_length=500, blank=True)
    domain = models.CharField(_("domain"), max_length=255, db_index=True)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)

    objects = RemoteActorQuerySet.as_manager()

    class Meta:
        verbose_name = _("remote actor")
        verbose_name_plural = _("remote actors")

    def __str__(self):
        return f"{self.username or self.uri} ({self.domain})"

    @property
    def delivery_inbox(self) -> str:
        """Where activities for all followers go: the server's shared inbox when it has one."""
        return self.shared_inbox or self.inbox


class Follower(models.Model):
    """A remote actor following the group (its Follow was accepted)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="followers")
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    follow_id = models.URLField(_("Follow activity"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["group", "actor"], name="federation_follower_once")
        ]

    def __str__(self):
        return str(self.actor)


class BlockedDomain(models.Model):
    """An instance organizers refuse: nothing it sends is accepted, nothing is sent to it."""

    domain = models.CharField(
        _("domain"), max_length=255, help_text=_("e.g. spam.example; its subdomains too.")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("blocked"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked instance")
        verbose_name_plural = _("blocked instances")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="federation_blocked_domain_ci_unique")
        ]

    def __str__(self):
        return self.domain

    def clean(self):
        self.domain = self.domain.strip().lower().rstrip(".")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Waiting deliveries whose next try has come."""
        return self.filter(state=DeliveryState.PENDING, next_try_at__lte=now or timezone.now())


class Delivery(models.Model):
    """One signed POST of one activity to one inbox (a follower server's shared inbox)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(_("inbox"), max_length=500)
    activity = models.JSONField(_("activity"))
    kind = models.CharField(_("kind"), max_length=40)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_try_at"], name="federation_delivery_due")]

    def __str__(self):
        return f"{self.kind} → {self.inbox}"


class ReplyState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RemoteReplyQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=ReplyState.PENDING)

    def shown(self):
        """Approved, while the group still takes replies (turning it off hides them)."""
        return self.filter(
            state=ReplyState.APPROVED,
            event__group__actor__enabled=True,
            event__group__actor__replies=True,
        ).order_by("published_at", "pk")


class RemoteReply(models.Model):
    """A Note written on another server in reply to one of the group's events. It waits for
    an organizer; approved, the event page shows it among the comments. A rejected one is
    kept (without its text) so a repeated delivery does not bring it back."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="remote_replies", verbose_name=_("event")
    )
    note_id = models.URLField(_("Note"), max_length=500, unique=True)
    actor_uri = models.URLField(_("author's address"), max_length=500, db_index=True)
    author_name = models.CharField(_("author"), max_length=200)
    profile_url = models.URLField(_("author's profile"), max_length=500)
    content_html = models.TextField(_("text"))
    published_at = models.DateTimeField(_("written"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=ReplyState.choices, default=ReplyState.PENDING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = RemoteReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply from the fediverse")
        verbose_name_plural = _("replies from the fediverse")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["event", "state"], name="federation_reply_event")]

    def __str__(self):
        return f"{self.author_name} → {self.event}"


class FollowingState(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Following(models.Model):
    """A remote actor the group follows: our Follow's id and what the actor answered."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="following")
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="followed_by")
    follow_id = models.URLField(_("Follow activity"), max_length=500)
    state = models.CharField(
        _("state"), max_length=10, choices=FollowingState.choices, default=FollowingState.PENDING
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("followed account")
        verbose_name_plural = _("following")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "actor"], name="federation_following_once")
        ]

    def __str__(self):
        return str(self.actor)
