"""Speakers and their links."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.imagefiles import image_url
from core.markdown import StoredMarkdown


class Speaker(ConstraintFieldsMixin, models.Model):
    """A guest, moderator or facilitator; one page lists all their events."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    bio = models.TextField(_("bio"), blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(blank=True, editable=False)  # markdown_store() keeps it
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_profiles",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    MARKDOWN_FIELDS = ("bio",)
    html = property(StoredMarkdown)  # {{ speaker.html.bio }}

    constraint_fields = {"slug_taken": "slug"}

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="events_speaker_slug_ci_unique",
                violation_error_message=_(
                    "Another speaker already uses this slug (capital letters count as the "
                    "same): choose another one."
                ),
                violation_error_code="slug_taken",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:speaker", kwargs={"slug": self.slug})

    @property
    def photo_jpeg_url(self) -> str:
        return image_url("events:speaker_photo", self.photo, "jpg", slug=self.slug)

    @property
    def photo_webp_url(self) -> str:
        return image_url("events:speaker_photo", self.photo, "webp", slug=self.slug)


class SpeakerLink(models.Model):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("URL"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker link")
        verbose_name_plural = _("speaker links")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label
