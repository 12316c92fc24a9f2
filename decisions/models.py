"""Decisions: what members propose (topics, guests, breakout themes) and support, the polls
where they decide, and their ballots, which are secret.

The transparency log is groups.models.LogEntry: the services of every app write it, so it lives
in the lowest one."""

import uuid

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
    REGULARS = "regulars", _("Members who attended at least k of the last n evenings")


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
        ],
        default=Method.SINGLE,
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
    # For "regulars": at least attended_k of the group's last attended_n evenings.
    attended_k = models.PositiveSmallIntegerField(_("evenings attended"), null=True, blank=True)
    attended_n = models.PositiveSmallIntegerField(_("of the last"), null=True, blank=True)
    # The roll's size, fixed when the poll opens (the Eligible rows written then).
    eligible_count = models.PositiveIntegerField(_("eligible voters"), default=0, editable=False)
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
                condition=~Q(voters=Voters.ATTENDEES) | Q(event__isnull=False),
                name="decisions_poll_attendees_need_an_event",
            ),
            models.CheckConstraint(
                condition=~Q(voters=Voters.REGULARS)
                | Q(attended_k__gte=1, attended_n__gte=models.F("attended_k")),
                name="decisions_poll_regulars_need_k_of_n",
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

    def results_shown(self, now=None) -> bool:
        """Closed, or open with results while open (from RESULTS_FROM ballots on: the view
        checks the count: decisions.services.poll_results_shown)."""
        return self.is_closed(now) or (self.results_while_open and self.is_open(now))


class Option(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="decisions_option_label_unique"),
        ]

    def __str__(self):
        return self.label


class Eligible(models.Model):
    """Who may vote in a poll, fixed when it opens (poll_open): members, the people going to
    an event, or members who attended at least k of the last n evenings. Kept by account and
    by a keyed hash of the address, so a new account with the same address is the same
    voter."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="eligible")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voter_key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("eligible voter")
        verbose_name_plural = _("eligible voters")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"], name="decisions_eligible_once_per_person"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="decisions_eligible_member_idx")]

    def __str__(self):
        return str(_("An eligible voter"))


class VoterRoll(models.Model):
    """Who voted in a poll, on which day: once per person (the keyed hash of their verified
    address), whatever accounts they make. Nothing here says what they chose; nothing in the
    box says who chose it (decisions.secrecy)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voter_key = models.CharField(max_length=64, editable=False)
    voted_on = models.DateField(_("voted on"))

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"], name="decisions_roll_one_vote_per_person"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="decisions_roll_member_idx")]

    def __str__(self):
        return str(_("A vote"))


class BallotBox(models.Model):
    """One ballot: the options chosen (in order of preference for ranked choice), as option
    keys. A random key, no time, no account: it cannot be tied to a roll row. Changed while
    the poll is open by whoever presents its receipt, whose keyed hash is all that is kept.
    When an account is deleted the ballot stays, so a closed poll's count never changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    choices = models.JSONField(default=list)
    receipt_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "receipt_hash"], name="decisions_ballot_receipt_unique"
            ),
        ]

    def __str__(self):
        return str(_("A ballot"))


# Elections and settings polls: their own module, models of this app all the same.
from .governance import Candidate, ElectedRole, Election, SettingPoll  # noqa: E402, F401
