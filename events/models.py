from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.db import subquery_count
from groups.imagefiles import COVER, image_srcset, image_url
from groups.markdown import StoredMarkdown
from groups.models import Group


class Venue(models.Model):
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

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="events_venue_coordinates_valid",
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


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Every week, same weekday")
    BIWEEKLY = "biweekly", _("Every two weeks, same weekday")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Monthly, same weekday of the month (e.g. 2nd Tuesday)")
    MONTHLY_DAY = "monthly_day", _("Monthly, same day of the month")


class Series(models.Model):
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

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="events_series_slug_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:series", kwargs={"slug": self.slug})


class Speaker(models.Model):
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

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="events_speaker_slug_ci_unique"),
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


def by_slug(queryset, slug: str):
    """Rows whose slug matches ignoring case, found through the Lower("slug") unique index."""
    return queryset.alias(slug_lower=Lower("slug")).filter(slug_lower=slug.lower())


# No event lasts longer than this (a database constraint); upcoming() relies on it.
MAX_DURATION = timedelta(days=14)


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class EventQuerySet(models.QuerySet):
    """The one place that decides what is public, upcoming and past."""

    def published(self):
        """Events the public sees: published ones and cancelled ones (shown with a banner)."""
        return self.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])

    def visible_to(self, user):
        if user.is_authenticated and user.has_perm("events.change_event"):
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


class Event(models.Model):
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
    # groups.markdown.markdown_store() wherever a description is written.
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

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="events_event_ends_after_starts",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__lte=models.F("starts_at") + MAX_DURATION),
                name="events_event_at_most_14_days",
                violation_error_message=_("An event can last 14 days at most."),
            ),
            models.UniqueConstraint(
                Lower("slug"),
                name="events_event_slug_ci_unique",
                violation_error_message=_("Another event already uses this slug."),
            ),
        ]
        indexes = [
            # Counting upcoming or past events (pagination, the home page) reads only this index.
            models.Index(
                fields=["status", "ends_at", "starts_at", "group"], name="events_event_listing_idx"
            ),
            models.Index(fields=["starts_at"], name="events_event_starts_idx"),
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
        from groups.markdown import markdown_to_text

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


class SpeakerRole(models.TextChoices):
    GUEST = "guest", _("Guest speaker")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")


class EventSpeaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="event_speakers")
    role = models.CharField(
        _("role"), max_length=20, choices=SpeakerRole.choices, default=SpeakerRole.GUEST
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker at the event")
        verbose_name_plural = _("speakers at the event")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "speaker", "role"], name="events_eventspeaker_unique"
            ),
        ]

    def __str__(self):
        return f"{self.speaker} · {self.get_role_display()}"


class AgendaKind(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    PRESENTATION = "presentation", _("Presentation")
    BREAKOUTS = "breakouts", _("Breakout discussions")
    QA = "qa", _("Q&A")
    SOCIAL = "social", _("Social")


class AgendaItem(models.Model):
    """One step of the evening's program."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_items")
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

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="breakouts")
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


class RSVPStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_GOING = "not_going", _("Not going")


# A member's cancellation this close to the start (or later) counts as late.
LATE_CANCELLATION = timedelta(hours=24)


def attendance_filters() -> dict[str, Q]:
    """What a member's attendance history counts, over published events (a cancelled event
    is nobody's absence): RSVPed (said going at some point: going, waitlisted, or a
    cancellation on record), attended (checked in), no-shows (marked by a host) and late
    cancellations (the member's own, within LATE_CANCELLATION of the start)."""
    published = Q(event__status=EventStatus.PUBLISHED)
    return {
        "rsvped": published
        & (Q(status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED]) | Q(cancelled_at__isnull=False)),
        "attended": published & Q(checked_in_at__isnull=False),
        "no_shows": published & Q(no_show=True),
        "late_cancellations": published
        & Q(
            status=RSVPStatus.NOT_GOING,
            cancelled_at__gte=models.F("event__starts_at") - LATE_CANCELLATION,
        ),
    }


def attendance_annotations(member_field: str = "user") -> dict:
    """attendance_filters as one subquery count each, to .annotate() a queryset of rows that
    point at a member (Membership: member_field="user"; users: "pk"); computed only for the
    rows fetched, so a paginated changelist stays flat."""
    return {
        f"attendance_{name}": subquery_count(
            RSVP.objects.filter(q, member=models.OuterRef(member_field)), "member"
        )
        for name, q in attendance_filters().items()
    }


class RSVPQuerySet(models.QuerySet):
    def going(self):
        return self.filter(status=RSVPStatus.GOING)

    def waitlisted(self):
        """In line for a seat, first come first served."""
        return self.filter(status=RSVPStatus.WAITLISTED).order_by("waitlist_seq")

    def stats(self) -> dict:
        """Going (members and seats), waitlisted and checked in, in one query."""
        going = Q(status=RSVPStatus.GOING)
        return self.aggregate(
            going=models.Count("pk", filter=going),
            seats_taken=Coalesce(models.Sum(models.F("guests") + 1, filter=going), 0),
            waitlisted=models.Count("pk", filter=Q(status=RSVPStatus.WAITLISTED)),
            checked_in=models.Count("pk", filter=going & Q(checked_in_at__isnull=False)),
        )

    def attendance_counts(self) -> dict:
        """Events RSVPed, attended, no-shows and late cancellations, in one query (see
        attendance_filters for what each counts)."""
        return self.aggregate(
            **{name: models.Count("pk", filter=q) for name, q in attendance_filters().items()}
        )

    def attendance_for(self, member) -> dict:
        """One member's attendance history (attendance_counts), for organizers and the
        member's own export."""
        return self.filter(member=member).attendance_counts()

    def attendance_by_member(self, members) -> dict[int, dict]:
        """attendance_counts per member id (members: users or ids), in one query; a member
        without RSVPs gets zeros."""
        ids = [getattr(m, "pk", m) for m in members]
        zero = dict.fromkeys(attendance_filters(), 0)
        counts = {pk: dict(zero) for pk in ids}
        rows = (
            self.filter(member_id__in=ids)
            .order_by()
            .values("member_id")
            .annotate(
                **{name: models.Count("pk", filter=q) for name, q in attendance_filters().items()}
            )
        )
        for row in rows:
            counts[row.pop("member_id")] = row
        return counts

    def with_waitlist_position(self):
        """Annotates each waitlisted RSVP with its place in its event's line (1 = next)."""
        ahead = RSVP.objects.filter(
            event=models.OuterRef("event"),
            status=RSVPStatus.WAITLISTED,
            waitlist_seq__lte=models.OuterRef("waitlist_seq"),
        )
        return self.annotate(
            waitlist_position=models.Case(
                models.When(status=RSVPStatus.WAITLISTED, then=subquery_count(ahead, "event")),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class RSVP(models.Model):
    """A member's answer to an event: going (with guests), waitlisted or not going."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    # Empty once the member has deleted their account: past attendance stays, anonymously.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="rsvps",
    )
    status = models.CharField(_("status"), max_length=20, choices=RSVPStatus.choices)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    answer = models.TextField(_("answer"), blank=True, max_length=1000)
    waitlisted_at = models.DateTimeField(_("joined the waitlist"), null=True, blank=True)
    waitlist_seq = models.PositiveBigIntegerField(
        _("place in line"), null=True, blank=True, editable=False
    )
    breakout = models.ForeignKey(
        Breakout,
        verbose_name=_("breakout discussion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rsvps",
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    # Marked by a host after the start: going, never checked in.
    no_show = models.BooleanField(_("no-show"), default=False)
    # When the member last cancelled a "going" or a waitlist place themselves; cleared when
    # they answer going again (a host's move is not the member's cancellation).
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # When this no-show was counted in a gentle note (services.no_show_notes_send).
    no_show_noted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(member__isnull=False),
                name="events_rsvp_one_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status=RSVPStatus.WAITLISTED, waitlist_seq__isnull=False)
                | (~Q(status=RSVPStatus.WAITLISTED) & Q(waitlist_seq__isnull=True)),
                name="events_rsvp_waitlist_place_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(status=RSVPStatus.GOING) | Q(breakout__isnull=True),
                name="events_rsvp_breakout_only_when_going",
            ),
            models.CheckConstraint(
                condition=~Q(status=RSVPStatus.NOT_GOING) | Q(guests=0),
                name="events_rsvp_no_guests_when_not_going",
            ),
            models.CheckConstraint(
                condition=Q(status=RSVPStatus.GOING) | Q(checked_in_at__isnull=True),
                name="events_rsvp_checked_in_only_when_going",
            ),
            models.CheckConstraint(
                condition=Q(no_show=False) | Q(status=RSVPStatus.GOING, checked_in_at__isnull=True),
                name="events_rsvp_no_show_only_when_going_not_checked_in",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waitlist_seq"], name="events_rsvp_event_idx"),
        ]

    def __str__(self):
        who = self.member or _("a former member")
        return f"{who} · {self.event} · {self.get_status_display()}"

    @property
    def party_size(self) -> int:
        return 1 + self.guests

    @property
    def is_going(self) -> bool:
        return self.status == RSVPStatus.GOING

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RSVPStatus.WAITLISTED


class EmailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("RSVP confirmation")
    WAITLISTED = "waitlisted", _("Joined the waitlist")
    PROMOTED = "promoted", _("Promoted from the waitlist")
    CHANGED = "changed", _("Event changed")
    CANCELLED = "cancelled", _("Event cancelled")
    REMINDER = "reminder", _("Reminder")
    ANNOUNCEMENT = "announcement", _("New event announced")
    MESSAGE = "message", _("Message from organizers")
    HOST_CANCELLED = "host_cancelled", _("RSVP changed to not going by a host")
    NO_SHOW_NOTE = "no_show_note", _("Note about missed events")
    # The conversation app's emails (conversation/tasks.py sends them).
    GROUP_POST = "group_post", _("Announcement to the group")
    REPLY = "reply", _("New reply in a followed discussion")
    DIGEST = "digest", _("Daily digest of discussions")
    WARNING = "warning", _("Warning from the organizers")
    # The decisions app's emails (decisions/tasks.py sends them).
    PROPOSAL = "proposal", _("New proposal")
    POLL = "poll", _("New poll")
    POLL_REMINDER = "poll_reminder", _("Reminder of a poll closing")


# The kinds conversation.tasks.send_batch sends; events.tasks.send_batch sends the others.
CONVERSATION_EMAIL_KINDS = frozenset(
    {EmailKind.GROUP_POST, EmailKind.REPLY, EmailKind.DIGEST, EmailKind.WARNING}
)
# The kinds decisions.tasks.send_batch sends.
DECISIONS_EMAIL_KINDS = frozenset({EmailKind.PROPOSAL, EmailKind.POLL, EmailKind.POLL_REMINDER})


class EmailOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailLog(models.Model):
    """One email Potluck sent (or failed to send), so organizers can see what went out."""

    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    # No database constraints on these references: a foreign key check would lock the event
    # row the worker logs about, and deadlock with RSVPs that lock it for seat counting.
    # Django still sets them to NULL when the member or event goes.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    address = models.EmailField(_("address"), blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    sent_at = models.DateTimeField(_("time"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=EmailOutcome.choices)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("email sent")
        verbose_name_plural = _("emails sent")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["kind", "event"], name="events_emaillog_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address or _('a former member')}"
