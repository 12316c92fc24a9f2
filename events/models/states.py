"""The states and kinds of the events app's rows, and its two lengths of time."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Every week, same weekday")
    BIWEEKLY = "biweekly", _("Every two weeks, same weekday")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Monthly, same weekday of the month (e.g. 2nd Tuesday)")
    MONTHLY_DAY = "monthly_day", _("Monthly, same day of the month")


# No event lasts longer than this (a database constraint); upcoming() relies on it.
MAX_DURATION = timedelta(days=14)


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class SpeakerRole(models.TextChoices):
    GUEST = "guest", _("Guest speaker")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")


class AgendaKind(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    PRESENTATION = "presentation", _("Presentation")
    BREAKOUTS = "breakouts", _("Breakout discussions")
    QA = "qa", _("Q&A")
    SOCIAL = "social", _("Social")


class RSVPStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_GOING = "not_going", _("Not going")


# A member's cancellation this close to the start (or later) counts as late.
LATE_CANCELLATION = timedelta(hours=24)
