"""Venues and series: where evenings happen and what repeats."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.markdown import StoredMarkdown
from groups.models import Group

from .states import Recurrence


class Venue(ConstraintFieldsMixin, models.Model):
    """A place where the group meets."""

    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accessibility_notes = models.TextField(
        _("accessibility notes"),
        blank=True,
        help_text=_("Step-free access, lifts, accessible toilets, quiet room…"),
    )
    directions = models.TextField(_("directions"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    constraint_fields = {"coordinates": "latitude", "venue_name_taken": "name"}

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="events_venue_coordinates_valid",
                violation_error_message=_(
                    "Give both latitude (from -90 to 90) and longitude (from -180 to 180), "
                    "or neither."
                ),
                violation_error_code="coordinates",
            ),
            models.UniqueConstraint(
                Lower("name"),
                name="events_venue_name_ci_unique",
                violation_error_message=_(
                    "There is already a venue with this name: choose it for the event, or "
                    "name this one differently."
                ),
                violation_error_code="venue_name_taken",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def full_address(self) -> str:
        return ", ".join(part for part in (self.address, self.city) if part)

    @property
    def map_url(self) -> str:
        """A plain link to OpenStreetMap; nothing is embedded in our pages."""
        if self.latitude is not None and self.longitude is not None:
            return (
                f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
                f"#map=18/{self.latitude}/{self.longitude}"
            )
        from urllib.parse import urlencode

        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.full_address})


class Series(ConstraintFieldsMixin, models.Model):
    """Events that repeat, such as the monthly guest evening."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="series")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    description_html = models.TextField(blank=True, editable=False)  # markdown_store() keeps it
    cadence = models.CharField(
        _("cadence"),
        max_length=200,
        blank=True,
        help_text=_("In words: “monthly, second Tuesday”."),
    )
    recurrence = models.CharField(
        _("recurrence"),
        max_length=20,
        choices=Recurrence.choices,
        default=Recurrence.MONTHLY_WEEKDAY,
        help_text=_("Used by “duplicate into the next date” in the admin."),
    )
    default_venue = models.ForeignKey(
        Venue,
        verbose_name=_("default venue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_for_series",
    )

    MARKDOWN_FIELDS = ("description",)
    html = property(StoredMarkdown)  # {{ series.html.description }}

    constraint_fields = {"slug_taken": "slug"}

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="events_series_slug_ci_unique",
                violation_error_message=_(
                    "Another series already uses this slug (capital letters count as the "
                    "same): choose another one."
                ),
                violation_error_code="slug_taken",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:series", kwargs={"slug": self.slug})
