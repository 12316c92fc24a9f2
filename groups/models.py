import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.imagefiles import COVER, image_srcset, image_url
from core.markdown import StoredMarkdown


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone name, such as America/New_York."),
            params={"value": value},
        )


class GroupQuerySet(models.QuerySet):
    def current(self):
        """The group this site serves: Potluck runs one group per installation."""
        return self.order_by("pk").first()


class Group(models.Model):
    """The meetup group whose site this is."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    about = models.TextField(
        _("what we're about"), blank=True, help_text=_("Markdown. Shown on the home page.")
    )
    step_up = models.TextField(
        _("invitation to step up"),
        blank=True,
        help_text=_("Markdown. Shown above the contact form on the home page."),
    )
    # The Markdown fields rendered to sanitized HTML when saved (core.markdown.markdown_store).
    about_html = models.TextField(blank=True, editable=False)
    step_up_html = models.TextField(blank=True, editable=False)
    cover_image = models.ImageField(_("cover image"), upload_to="group/", blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. America/New_York. Event times are shown in this zone."),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Optional address that also receives the contact form's messages."),
    )
    uploads_need_approval = models.BooleanField(
        _("new photo uploads need approval"),
        default=False,
        help_text=_("Photos wait in the admin's moderation list until an organizer approves them."),
    )
    no_show_note_after = models.PositiveSmallIntegerField(
        _("gentle note after this many no-shows"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Empty: off. A number: a member marked a no-show that many times (not counted in "
            "an earlier note) gets a friendly email asking them to cancel when plans change."
        ),
    )
    join_needs_approval = models.BooleanField(
        _("joining needs an organizer's approval"),
        default=False,
        help_text=_(
            "Off: anyone who signs up is a member. On: a request to join waits in the "
            "memberships list until an organizer approves or declines it."
        ),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder, hours before an event"),
        default=24,
        help_text=_("Members who are going get one reminder this long before the event starts."),
    )
    members_open_polls = models.BooleanField(
        _("members may open polls"),
        default=False,
        help_text=_("When ticked, any member may open a poll, not only the organizers."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="member_of_groups"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GroupQuerySet.as_manager()

    MARKDOWN_FIELDS = ("about", "step_up")
    html = property(StoredMarkdown)  # {{ group.html.about }}

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="groups_group_slug_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("home")

    @property
    def cover_jpeg_url(self) -> str:
        return image_url("group_cover", self.cover_image, "jpg")

    @property
    def cover_webp_url(self) -> str:
        return image_url("group_cover", self.cover_image, "webp")

    @property
    def cover_jpeg_srcset(self) -> str:
        return image_srcset("group_cover", self.cover_image, "jpg", COVER)

    @property
    def cover_webp_srcset(self) -> str:
        return image_srcset("group_cover", self.cover_image, "webp", COVER)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer")
    CO_ORGANIZER = "co_organizer", _("Co-organizer")
    MEMBER = "member", _("Member")


ORGANIZER_ROLES = (Role.ORGANIZER, Role.CO_ORGANIZER)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    PENDING = "pending", _("Waiting for approval")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        """Members: a pending request to join is not a membership anywhere (groups/access.py)."""
        return self.filter(status=MembershipStatus.ACTIVE)

    def pending(self):
        return self.filter(status=MembershipStatus.PENDING)

    def organizers(self):
        # Active by constraint (groups_membership_pending_is_member): the index needs no more.
        return self.filter(role__in=ORGANIZER_ROLES)


class Membership(models.Model):
    """A person's membership of the group, with the date they joined and their role.

    A request to join a group that approves its members is a pending membership: it counts
    nowhere until an organizer approves it (groups.services.membership_approve).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    # [{"question": …, "answer": …}, …] in the order asked: the questions as worded then.
    answers = models.JSONField(_("answers to the join questions"), default=list, blank=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groups_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=MembershipStatus.values),
                name="groups_membership_status_valid",
            ),
            # Roles belong to members: a request waiting for approval organizes nothing.
            models.CheckConstraint(
                condition=models.Q(status=MembershipStatus.ACTIVE) | models.Q(role=Role.MEMBER),
                name="groups_membership_pending_is_member",
            ),
        ]
        indexes = [
            # The home page lists the organizers in this order: read from here, no sort.
            models.Index(
                fields=["group", "role", "joined_at", "id"],
                condition=models.Q(role__in=ORGANIZER_ROLES),
                name="groups_organizers_idx",
            ),
        ]

    def __str__(self):
        if self.status == MembershipStatus.PENDING:
            return f"{self.user} · {self.get_status_display()}"
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_organizer(self) -> bool:
        return self.role in ORGANIZER_ROLES

    @property
    def is_pending(self) -> bool:
        return self.status == MembershipStatus.PENDING


MAX_JOIN_QUESTIONS = 5


class JoinQuestion(models.Model):
    """A question the join form asks (at most five); answers are kept with the membership."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_questions")
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("an answer is required"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("join question")
        verbose_name_plural = _("join questions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


def ban_email_normalized(email: str) -> str:
    """The address a ban is about: lowercased, without a "+tag" in its local part, so that
    name+anything@example.org is the same person as name@example.org."""
    normalized = (email or "").strip().lower()
    local, at, domain = normalized.rpartition("@")
    if at and "+" in local:
        local = local.split("+", 1)[0]
        normalized = f"{local}@{domain}"
    return normalized


def _ban_hmac(value: str) -> str:
    secret = settings.POTLUCK_BAN_PEPPER or settings.SECRET_KEY
    return salted_hmac("potluck.groups.ban", value, secret=secret, algorithm="sha256").hexdigest()


def ban_email_hash(email: str) -> str:
    """A keyed SHA-256 of the address, lowercased and without its +tag: a ban outlives the
    account without the address itself. The key is POTLUCK_BAN_PEPPER (or SECRET_KEY):
    changing it lifts the bans of deleted accounts."""
    return _ban_hmac(ban_email_normalized(email))


def ban_email_hashes(email: str) -> set[str]:
    """Every hash a ban on this address may be stored under: the one written today, and the
    one written before +tags were stripped (the address only lowercased), for bans of deleted
    accounts made then, whose address is gone and cannot be hashed again."""
    if not email:
        return set()
    return {ban_email_hash(email), _ban_hmac(email.strip().lower())}


class BanQuerySet(models.QuerySet):
    def matching(self, *, group, user=None, emails=()):
        """Bans of this group on this account or on any of these addresses (any +tag)."""
        hashes = set()
        for email in emails:
            hashes |= ban_email_hashes(email)
        condition = models.Q(email_hash__in=sorted(hashes))
        if user is not None and user.pk is not None:
            condition |= models.Q(user=user) | models.Q(
                email_hash__in=sorted(ban_email_hashes(user.email))
            )
        return self.filter(condition, group=group)


class Ban(models.Model):
    """Someone the group banned: no membership, RSVP, upload or members-only page again.

    Kept by a keyed hash of the email address, so it holds for a new account with the same
    address after the account is deleted (when `user` becomes empty).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="bans")
    email_hash = models.CharField(_("email hash"), max_length=64, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bans",
        verbose_name=_("person"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("banned by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("banned"), auto_now_add=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "email_hash"], name="groups_ban_unique_email"),
        ]

    def __str__(self):
        return str(self.user) if self.user else str(_("a former member"))


class MembershipActionKind(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    REMOVED = "removed", _("Removed")
    BANNED = "banned", _("Banned")


class MembershipAction(models.Model):
    """What an organizer did to a membership, by whom and why: the group's moderation log."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="membership_actions")
    action = models.CharField(_("action"), max_length=20, choices=MembershipActionKind.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership_actions",
        verbose_name=_("member"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason or message"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership action")
        verbose_name_plural = _("membership actions")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=MembershipActionKind.values),
                name="groups_membershipaction_action_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.member or _('a former member')}"


class ResourceLink(models.Model):
    """A helpful article or resource the group recommends."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="resource_links")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("URL"))
    note = models.CharField(_("short note"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resource link")
        verbose_name_plural = _("resource links")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class SocialLink(models.Model):
    """Where else the group can be found ("find us also at")."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="social_links")
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("URL"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("“find us also at” link")
        verbose_name_plural = _("“find us also at” links")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label


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
    PROPOSAL_DECLINED = "proposal_declined", _("Proposal declined")
    PROPOSAL_SCHEDULED = "proposal_scheduled", _("Proposal scheduled")


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
    PostgreSQL a trigger (migration 0015) refuses any UPDATE but emptying a deleted account's
    reference, and any DELETE but the whole group's.
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
    # Set for what must be recorded once only (a poll closing): unique within the group.
    key = models.CharField(_("key"), max_length=80, blank=True, editable=False)

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
