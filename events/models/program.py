"""What happens at an event: its speakers, agenda and breakouts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.markdown import StoredMarkdown

from .speakers import Speaker
from .states import AgendaKind, SpeakerRole


class EventSpeaker(ConstraintFieldsMixin, models.Model):
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="event_speakers"
    )
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="event_speakers")
    role = models.CharField(
        _("role"), max_length=20, choices=SpeakerRole.choices, default=SpeakerRole.GUEST
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    constraint_fields = {"speaker_listed_twice": "speaker"}

    class Meta:
        verbose_name = _("speaker at the event")
        verbose_name_plural = _("speakers at the event")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "speaker", "role"],
                name="events_eventspeaker_unique",
                violation_error_message=_(
                    "This speaker is already at the event in this role: list them once."
                ),
                violation_error_code="speaker_listed_twice",
            ),
        ]

    def __str__(self):
        return f"{self.speaker} · {self.get_role_display()}"


class AgendaItem(models.Model):
    """One step of the evening's program."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="agenda_items")
    time = models.TimeField(
        _("time"), null=True, blank=True, help_text=_("Local time in the group's time zone.")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgendaKind.choices)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["order", "time", "pk"]

    def __str__(self):
        return self.title


class Breakout(models.Model):
    """A small-group discussion; its notes keep the outcome with the group."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="breakouts")
    topic = models.CharField(_("topic"), max_length=200)
    prompt = models.TextField(_("prompt"), blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator (member)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_breakouts",
    )
    facilitator_name = models.CharField(
        _("facilitator (name)"), max_length=200, blank=True, help_text=_("When not a member.")
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Markdown: what the discussion came to.")
    )
    notes_html = models.TextField(blank=True, editable=False)  # markdown_store() keeps it
    notes_published = models.BooleanField(_("notes published"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    MARKDOWN_FIELDS = ("notes",)
    html = property(StoredMarkdown)  # {{ breakout.html.notes }}

    class Meta:
        verbose_name = _("breakout discussion")
        verbose_name_plural = _("breakout discussions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.topic

    @property
    def facilitator_display(self) -> str:
        if self.facilitator_id:
            return self.facilitator.display_name
        return self.facilitator_name
