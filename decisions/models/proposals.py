"""What members propose (topics, guests, breakout themes) and support."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversation.models import Thread
from core.markdown import StoredMarkdown
from events.models import Event
from groups.models import Group

BODY_MAX = 5_000
MARKDOWN_HELP = _("Markdown: **bold**, *italics*, [a link](https://example.org), lists.")


class ProposalKind(models.TextChoices):
    TOPIC = "topic", _("Topic")
    GUEST = "guest", _("Guest speaker")
    BREAKOUT = "breakout", _("Breakout theme")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PLANNED = "planned", _("Planned")
    SCHEDULED = "scheduled", _("Scheduled")
    DECLINED = "declined", _("Declined")


class ProposalQuerySet(models.QuerySet):
    def by_support(self):
        """Most supported first, then the newest: the proposals page's order."""
        return self.order_by("-support_count", "-created_at", "-pk")


class Proposal(models.Model):
    """A member's suggestion for what the group does: a topic, a guest, a breakout theme."""

    MARKDOWN_FIELDS = ("body",)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(
        _("why"),
        max_length=BODY_MAX,
        blank=True,
        help_text=MARKDOWN_HELP,
    )
    body_html = models.TextField(blank=True, editable=False, default="")
    # A guest's address, phone or profile: seen by the organizers and the proposer only.
    contact = models.CharField(
        _("how to reach them"),
        max_length=300,
        blank=True,
        help_text=_("Only the organizers and the proposer see this."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # kept, credited to "a former member", if they chose so
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("event it became"),
    )
    # Members comment in a discussion of its own (the conversation app's), started with it.
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("discussion"),
    )
    # Kept by proposal_support / proposal_withdraw_support in the same transaction as the rows.
    support_count = models.PositiveIntegerField(_("support"), default=0, editable=False)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ProposalQuerySet.as_manager()
    html = property(StoredMarkdown)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-support_count", "-created_at", "-pk"]
        indexes = [
            models.Index(
                "group",
                "status",
                models.F("support_count").desc(),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="decisions_proposal_page_idx",
            ),
            # The list's default: open and planned together, read in order and stopped at a
            # page (a sort of every open proposal otherwise).
            models.Index(
                "group",
                models.F("support_count").desc(),
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=Q(status__in=["open", "planned"]),
                name="decisions_proposal_open_idx",
            ),
            models.Index(fields=["author", "created_at"], name="decisions_proposal_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProposalKind.values), name="decisions_proposal_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="decisions_proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DECLINED) | ~Q(decline_reason=""),
                name="decisions_proposal_declined_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decisions:proposal", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN


class Support(models.Model):
    """One member's support for a proposal: once each, withdrawable."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("supported"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="decisions_support_once_per_member"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="decisions_support_member_idx")]

    def __str__(self):
        return f"{self.member_id} → {self.proposal_id}"
