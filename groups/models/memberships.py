"""Memberships and roles, the questions asked on joining, and the moderation log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin

from .groups import Group


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


class Membership(ConstraintFieldsMixin, models.Model):
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

    constraint_fields = {"member_already": "user", "pending_role": "role"}
    # Changed by the services (join, approve, remove), read-only in the admin.
    always_validated = ("status",)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                name="groups_membership_unique",
                violation_error_message=_(
                    "This person is already in the group: open their membership to change it."
                ),
                violation_error_code="member_already",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MembershipStatus.values),
                name="groups_membership_status_valid",
            ),
            # Roles belong to members: a request waiting for approval organizes nothing.
            models.CheckConstraint(
                condition=models.Q(status=MembershipStatus.ACTIVE) | models.Q(role=Role.MEMBER),
                name="groups_membership_pending_is_member",
                violation_error_message=_(
                    "Approve this request to join first: until then they can only be a member."
                ),
                violation_error_code="pending_role",
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
