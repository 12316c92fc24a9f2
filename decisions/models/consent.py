"""Consent proposals: positions (agree, abstain, disagree, block) with reasons, in public."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.markdown import StoredMarkdown
from groups.models import Group

from .proposals import BODY_MAX, MARKDOWN_HELP


class PositionKind(models.TextChoices):
    AGREE = "agree", _("Agree")
    ABSTAIN = "abstain", _("Abstain")
    DISAGREE = "disagree", _("Disagree")
    BLOCK = "block", _("Block")


class Decision(models.Model):
    """A consent proposal: members state a position (agree, abstain, disagree, block) with a
    reason, in public with their names; an organizer closes it with a written outcome."""

    MARKDOWN_FIELDS = ("body",)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"), max_length=BODY_MAX, help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), max_length=BODY_MAX, blank=True)

    html = property(StoredMarkdown)

    class Meta:
        verbose_name = _("consent proposal")
        verbose_name_plural = _("consent proposals")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(
                "group",
                models.F("opened_at").desc(),
                models.F("id").desc(),
                name="decisions_decision_page_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opened_at")),
                name="decisions_decision_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decisions:decision", args=[self.pk])

    def is_open(self, now=None) -> bool:
        return self.closed_at is None and (now or timezone.now()) < self.closes_at


class Position(models.Model):
    """One member's position on a consent proposal, with their reason: public, by name."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="positions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.CharField(_("position"), max_length=10, choices=PositionKind.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    stated_at = models.DateTimeField(_("stated"), default=timezone.now)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["stated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "member"], name="decisions_position_once_per_member"
            ),
            models.CheckConstraint(
                condition=Q(position__in=PositionKind.values),
                name="decisions_position_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(position=PositionKind.BLOCK) | ~Q(reason=""),
                name="decisions_position_block_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.position}"
