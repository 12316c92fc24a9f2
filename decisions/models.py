"""Decisions: what members propose (topics, guests, breakout themes) and support, the polls
where they decide, and their ballots, which are secret.

The transparency log is groups.models.LogEntry: the services of every app write it, so it lives
in the lowest one."""

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

from .counting import Method

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


class Voters(models.TextChoices):
    MEMBERS = "members", _("Members of the group")
    ATTENDEES = "attendees", _("People going to an event")


class PollQuerySet(models.QuerySet):
    def open_at(self, now):
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def visible_at(self, now):
        """Polls members see: opened already (a poll set to open later is not shown yet)."""
        return self.filter(opens_at__lte=now)


class Poll(models.Model):
    """A question the group decides: options, how ballots are read, who votes and when."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=200)
    details = models.TextField(
        _("details"), max_length=BODY_MAX, blank=True, help_text=MARKDOWN_HELP
    )
    details_html = models.TextField(blank=True, editable=False, default="")
    method = models.CharField(
        _("how members vote"),
        max_length=20,
        choices=[
            (Method.SINGLE, _("Single choice: one option")),
            (Method.APPROVAL, _("Approval: tick every option you accept")),
            (Method.RANKED, _("Ranked choice: options in order of preference")),
            (Method.SCORE, _("Score: 0 to 5 points for each option")),
            (Method.DOTS, _("Dots: spread a number of dots over the options")),
            (Method.DATES, _("Dates: yes, if need be or no for each date")),
        ],
        default=Method.SINGLE,
    )
    dots = models.PositiveSmallIntegerField(
        _("dots per member"),
        null=True,
        blank=True,
        help_text=_("For a dots poll: how many dots each member spreads over the options."),
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    voters = models.CharField(
        _("who may vote"), max_length=20, choices=Voters.choices, default=Voters.MEMBERS
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("event (when its attendees vote)"),
    )
    results_while_open = models.BooleanField(
        _("show results while the poll is open"),
        default=False,
        help_text=_("Otherwise the results appear when the poll closes."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Set once, by whoever notices first that the poll has closed (its log entry is written then).
    closed_noted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once, when members who asked were emailed that the poll is open.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once, when the reminder a day before closing was queued.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the group concluded, written by an organizer at closing or afterwards (a poll closed
    # by the clock): shown on the page, emailed to those who voted, in the transparency log.
    outcome = models.TextField(_("outcome"), max_length=BODY_MAX, blank=True)
    outcome_at = models.DateTimeField(_("outcome written"), null=True, blank=True, editable=False)
    # A dates poll's winning time, made a draft event by poll_to_event (once).
    became_event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("event it became"),
    )

    objects = PollQuerySet.as_manager()
    MARKDOWN_FIELDS = ("details",)
    html = property(StoredMarkdown)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-closes_at", "-pk"]
        indexes = [
            models.Index(
                "group",
                models.F("closes_at").desc(),
                models.F("id").desc(),
                name="decisions_poll_page_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="decisions_poll_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(method__in=[m.value for m in Method]),
                name="decisions_poll_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(voters=Voters.MEMBERS) | Q(event__isnull=False),
                name="decisions_poll_attendees_need_an_event",
            ),
            models.CheckConstraint(
                condition=~Q(method=Method.DOTS) | Q(dots__gte=1),
                name="decisions_poll_dots_has_dots",
            ),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("decisions:poll", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def takes_points(self) -> bool:
        """Score and dots ballots map options to points; dates ballots map them to answers."""
        return self.method in (Method.SCORE, Method.DOTS)

    @property
    def is_dates(self) -> bool:
        return self.method == Method.DATES

    def results_shown(self, now=None) -> bool:
        return self.is_closed(now) or (self.results_while_open and self.is_open(now))


class Option(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # A dates poll's option: the start time it proposes (the label is written from it).
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="decisions_option_label_unique"),
        ]

    def __str__(self):
        return self.label


class Ballot(models.Model):
    """One member's ballot in one poll: the options chosen (in order of preference for ranked
    choice), as option keys; for score, dots and dates, [option key, points or answer] pairs in
    option order (decisions.services.choices). Exactly one per member and poll; changed, not
    added to, until the poll closes. Secret: no page, admin view or log shows who chose what;
    only the member's own export holds their ballot. When an account is deleted its ballot
    stays, nobody's, so a closed poll's count never changes."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    choices = models.JSONField(default=list)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "member"], name="decisions_ballot_one_per_member"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="decisions_ballot_member_idx")]

    def __str__(self):
        return str(_("A ballot"))


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
