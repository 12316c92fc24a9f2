"""Polls: the question, how it is counted, who may vote, its options."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.markdown import StoredMarkdown
from events.models import Event
from groups.models import Group

from ..counting import Method
from .proposals import BODY_MAX, MARKDOWN_HELP


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
                condition=~Q(voters=Voters.ATTENDEES) | Q(event__isnull=False),
                name="decisions_poll_attendees_need_an_event",
            ),
            models.CheckConstraint(
                condition=~Q(voters=Voters.REGULARS)
                | Q(attended_k__gte=1, attended_n__gte=models.F("attended_k")),
                name="decisions_poll_regulars_need_k_of_n",
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
        """Closed, or open with results while open (from RESULTS_FROM ballots on: the view
        checks the count: decisions.services.poll_results_shown)."""
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
