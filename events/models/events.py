"""Events and the one rule of upcoming and past."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.db import subquery_count
from core.imagefiles import COVER, image_srcset, image_url
from core.markdown import StoredMarkdown
from groups.access import Viewer
from groups.models import Group

from .places import Series, Venue
from .program import EventSpeaker
from .rsvps import RSVP
from .states import MAX_DURATION, EventStatus, RSVPStatus, SpeakerRole


def by_slug(queryset, slug: str):
    """Rows whose slug matches ignoring case, found through the Lower("slug") unique index."""
    return queryset.alias(slug_lower=Lower("slug")).filter(slug_lower=slug.lower())


class EventQuerySet(models.QuerySet):
    """The one place that decides what is public, upcoming and past."""

    def published(self):
        """Events the public sees: published ones and cancelled ones (shown with a banner)."""
        return self.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])

    def visible_to(self, viewer: Viewer):
        """What this person may open: every event for organizers (drafts too; the membership
        role, read through groups.access.Viewer), the published ones for everyone else."""
        if viewer.is_organizer:
            return self.all()
        return self.published()

    def upcoming(self, now: datetime | None = None):
        """Not ended yet (an event under way is upcoming), soonest first."""
        now = now or timezone.now()
        # The starts_at bound follows from the rule and MAX_DURATION; it lets the database
        # read the starts_at index from near "now" instead of skipping every past event.
        return self.filter(ends_at__gt=now, starts_at__gt=now - MAX_DURATION).order_by(
            "starts_at", "pk"
        )

    def past(self, now: datetime | None = None):
        """Ended, most recent first."""
        now = now or timezone.now()
        return self.filter(ends_at__lte=now, starts_at__lt=now).order_by("-starts_at", "-pk")

    def upcoming_or_recent(self, now: datetime | None = None, *, recent: timedelta):
        """upcoming() plus the past() events that started within `recent`, in one condition
        (the union of the two rules above), ordered by start."""
        now = now or timezone.now()
        return self.filter(Q(ends_at__gt=now) | Q(starts_at__gte=now - recent)).order_by(
            "starts_at", "pk"
        )

    def with_attendance(self):
        """Going and checked-in counts per event, computed only for the rows fetched."""

        def count(**filters):
            going = RSVP.objects.filter(
                event=models.OuterRef("pk"), status=RSVPStatus.GOING, **filters
            )
            return subquery_count(going, "event")

        return self.annotate(
            going_count=count(), checked_in_count=count(checked_in_at__isnull=False)
        )

    def with_rsvp_counts(self):
        """with_attendance() plus the waitlist, for the organizers' list (rows fetched only)."""
        waitlisted = RSVP.objects.filter(event=models.OuterRef("pk"), status=RSVPStatus.WAITLISTED)
        return self.with_attendance().annotate(waitlisted_count=subquery_count(waitlisted, "event"))

    def with_seats(self):
        """with_rsvp_counts() plus the seats the going take (guests included), for the admin
        home's next events (rows fetched only)."""
        going = (
            RSVP.objects.filter(event=models.OuterRef("pk"), status=RSVPStatus.GOING)
            .order_by()
            .values("event")
            .annotate(seats=models.Sum(models.F("guests") + 1))
            .values("seats")
        )
        return self.with_rsvp_counts().annotate(
            seats_taken=Coalesce(models.Subquery(going), models.Value(0))
        )

    def upcoming_then_past(self, now: datetime | None = None):
        """Every event: upcoming() ones soonest first, then past() ones most recent first."""
        return self.order_by(*upcoming_then_past_ordering(now))

    def for_listing(self):
        """What a list row shows: venue, series and guest speakers, in fixed queries."""
        return self.select_related("venue", "series").prefetch_related(guest_speakers_prefetch())


def upcoming_then_past_ordering(now: datetime | None = None) -> list:
    """The order of upcoming_then_past(), by the same rule (upcoming until it ends), as
    expressions that any Event queryset accepts (the admin's changelist orders by them)."""
    now = now or timezone.now()
    upcoming = Q(ends_at__gt=now)
    return [
        models.Case(models.When(upcoming, then=0), default=1).asc(),
        models.Case(models.When(upcoming, then="starts_at")).asc(),
        models.F("starts_at").desc(),
        models.F("pk").desc(),
    ]


def guest_speakers_prefetch() -> models.Prefetch:
    return models.Prefetch(
        "event_speakers",
        queryset=EventSpeaker.objects.filter(role=SpeakerRole.GUEST).select_related("speaker"),
        to_attr="guest_speakers",
    )


class Event(ConstraintFieldsMixin, models.Model):
    """One meetup: a theme, a guest, a program and breakout discussions."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences: the theme.")
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # The description as sanitized HTML for the page and as plain text for calendar feeds
    # (rendering Markdown for a thousand events at once is too slow), both kept by
    # core.markdown.markdown_store() wherever a description is written.
    description_html = models.TextField(blank=True, editable=False)
    description_text = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    is_online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(_("online URL"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    max_guests = models.PositiveSmallIntegerField(
        _("guests per member"), default=0, help_text=_("How many guests each member may bring.")
    )
    rsvp_opens_at = models.DateTimeField(
        _("RSVPs open"), null=True, blank=True, help_text=_("Empty: open as soon as published.")
    )
    rsvp_closes_at = models.DateTimeField(
        _("RSVPs close"), null=True, blank=True, help_text=_("Empty: open until the event starts.")
    )
    rsvp_question = models.CharField(
        _("RSVP question"),
        max_length=300,
        blank=True,
        help_text=_(
            "Asked of members who say they are going, e.g. “What would you like to discuss?”"
        ),
    )
    comments_public = models.BooleanField(
        _("comments are public"),
        default=False,
        help_text=_(
            "Members always read and write the questions and comments; with this on, "
            "visitors and search engines read them too."
        ),
    )
    address_for_attendees_only = models.BooleanField(
        _("exact address for attendees only"),
        default=False,
        help_text=_("Show the street address only to members who are going and to organizers."),
    )
    import_uid = models.CharField(
        _("imported UID"),
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The UID of the calendar entry this event was imported from."),
    )
    source_url = models.URLField(_("original page"), blank=True, max_length=500)
    # Bumped under the event's row lock; gives every waitlist entry its place in line.
    waitlist_counter = models.PositiveBigIntegerField(default=0, editable=False)
    cover_image = models.ImageField(_("cover image"), upload_to="events/", blank=True)
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("hosts"), blank=True, related_name="hosted_events"
    )
    sequence = models.PositiveIntegerField(
        _("sequence"),
        default=0,
        editable=False,
        help_text=_("Goes up whenever the time, place or status changes; calendars need it."),
    )
    # Set under the event's row lock when the group is told about the event (or when it
    # arrives already public, by import), so no path announces it twice.
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    MARKDOWN_FIELDS = ("description",)
    html = property(StoredMarkdown)  # {{ event.html.description }}

    # Changing any of these moves or cancels the event in people's calendars.
    SEQUENCE_FIELDS = ("starts_at", "ends_at", "venue", "is_online", "online_url", "status")

    constraint_fields = {
        "ends_before_start": "ends_at",
        "too_long": "ends_at",
        "slug_taken": "slug",
    }

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="events_event_ends_after_starts",
                violation_error_message=_("The event must end after it starts."),
                violation_error_code="ends_before_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__lte=models.F("starts_at") + MAX_DURATION),
                name="events_event_at_most_14_days",
                violation_error_message=_("An event can last 14 days at most."),
                violation_error_code="too_long",
            ),
            models.UniqueConstraint(
                Lower("slug"),
                name="events_event_slug_ci_unique",
                violation_error_message=_("Another event already uses this slug."),
                violation_error_code="slug_taken",
            ),
        ]
        indexes = [
            # Counting upcoming or past events (pagination, the home page) reads only this index.
            models.Index(
                fields=["status", "ends_at", "starts_at", "group"], name="events_event_listing_idx"
            ),
            models.Index(fields=["starts_at"], name="events_event_starts_idx"),
            # A page of the public listings in (starts_at, pk) order, and the past page's count,
            # from this index alone: no sort of the rows before the page, however deep.
            models.Index(
                fields=["starts_at", "id", "ends_at"],
                condition=Q(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED]),
                name="events_event_public_order_idx",
            ),
            # The feeds' freshness check reads MAX(updated_at) from this index alone.
            models.Index(fields=["updated_at"], name="events_event_updated_idx"),
            # The page generation (events/generation.py) reads the next end, RSVP opening and
            # RSVP closing after now from the top of these.
            models.Index(fields=["ends_at"], name="events_event_ends_idx"),
            models.Index(
                fields=["rsvp_opens_at"],
                name="events_event_rsvp_opens_idx",
                condition=Q(rsvp_opens_at__isnull=False),
            ),
            models.Index(
                fields=["rsvp_closes_at"],
                name="events_event_rsvp_closes_idx",
                condition=Q(rsvp_closes_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def cover_jpeg_url(self) -> str:
        return image_url("events:cover", self.cover_image, "jpg", slug=self.slug)

    @property
    def cover_webp_url(self) -> str:
        return image_url("events:cover", self.cover_image, "webp", slug=self.slug)

    @property
    def cover_jpeg_srcset(self) -> str:
        return image_srcset("events:cover", self.cover_image, "jpg", COVER, slug=self.slug)

    @property
    def cover_webp_srcset(self) -> str:
        return image_srcset("events:cover", self.cover_image, "webp", COVER, slug=self.slug)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.is_online and not self.online_url:
            errors["online_url"] = _("An online event needs the link people join with.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        elif self.starts_at and self.ends_at and self.ends_at - self.starts_at > MAX_DURATION:
            errors["ends_at"] = _("An event can last 14 days at most.")
        if errors:
            raise ValidationError(errors)

    @property
    def plain_description(self) -> str:
        from core.markdown import markdown_to_text

        if self.description and not self.description_text:
            return markdown_to_text(self.description)
        return self.description_text

    @property
    def is_draft(self) -> bool:
        return self.status == EventStatus.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def is_past(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or timezone.now())

    def is_happening(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    def rsvp_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status != EventStatus.PUBLISHED or self.is_past(now):
            return False
        if self.rsvp_opens_at and now < self.rsvp_opens_at:
            return False
        closes_at = self.rsvp_closes_at or self.starts_at
        return now < closes_at

    @property
    def rsvps_open(self) -> bool:
        return self.rsvp_is_open()

    @property
    def happening_now(self) -> bool:
        return self.is_happening()

    @property
    def has_ended(self) -> bool:
        return self.is_past()
