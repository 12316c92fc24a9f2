import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .imagefiles import COVER, image_srcset, image_url
from .markdown import StoredMarkdown


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone name, such as America/New_York."),
            params={"value": value},
        )


class GroupQuerySet(models.QuerySet):
    def current(self):
        """The group this site serves: Potluck runs one group per installation."""
        return self.order_by("pk").first()


class Group(models.Model):
    """The meetup group whose site this is."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    about = models.TextField(
        _("what we're about"), blank=True, help_text=_("Markdown. Shown on the home page.")
    )
    step_up = models.TextField(
        _("invitation to step up"),
        blank=True,
        help_text=_("Markdown. Shown above the contact form on the home page."),
    )
    # The Markdown fields rendered to sanitized HTML when saved (groups.markdown.markdown_store).
    about_html = models.TextField(blank=True, editable=False)
    step_up_html = models.TextField(blank=True, editable=False)
    cover_image = models.ImageField(_("cover image"), upload_to="group/", blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. America/New_York. Event times are shown in this zone."),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Optional address that also receives the contact form's messages."),
    )
    uploads_need_approval = models.BooleanField(
        _("new photo uploads need approval"),
        default=False,
        help_text=_("Photos wait in the admin's moderation list until an organizer approves them."),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder, hours before an event"),
        default=24,
        help_text=_("Members who are going get one reminder this long before the event starts."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="member_of_groups"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GroupQuerySet.as_manager()

    MARKDOWN_FIELDS = ("about", "step_up")
    html = property(StoredMarkdown)  # {{ group.html.about }}

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="groups_group_slug_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("home")

    @property
    def cover_jpeg_url(self) -> str:
        return image_url("group_cover", self.cover_image, "jpg")

    @property
    def cover_webp_url(self) -> str:
        return image_url("group_cover", self.cover_image, "webp")

    @property
    def cover_jpeg_srcset(self) -> str:
        return image_srcset("group_cover", self.cover_image, "jpg", COVER)

    @property
    def cover_webp_srcset(self) -> str:
        return image_srcset("group_cover", self.cover_image, "webp", COVER)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer")
    CO_ORGANIZER = "co_organizer", _("Co-organizer")
    MEMBER = "member", _("Member")


ORGANIZER_ROLES = (Role.ORGANIZER, Role.CO_ORGANIZER)


class MembershipQuerySet(models.QuerySet):
    def organizers(self):
        return self.filter(role__in=ORGANIZER_ROLES)


class Membership(models.Model):
    """A person's membership of the group, with the date they joined and their role."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groups_membership_unique"),
        ]
        indexes = [
            # The home page lists the organizers in this order: read from here, no sort.
            models.Index(
                fields=["group", "role", "joined_at", "id"],
                condition=models.Q(role__in=ORGANIZER_ROLES),
                name="groups_organizers_idx",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_organizer(self) -> bool:
        return self.role in ORGANIZER_ROLES


class ResourceLink(models.Model):
    """A helpful article or resource the group recommends."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="resource_links")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("URL"))
    note = models.CharField(_("short note"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resource link")
        verbose_name_plural = _("resource links")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class SocialLink(models.Model):
    """Where else the group can be found ("find us also at")."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="social_links")
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("URL"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("“find us also at” link")
        verbose_name_plural = _("“find us also at” links")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label


class ChangeGeneration(models.Model):
    """A counter per kind of change, read in one query by every process that caches bodies.

    Caches key what they build by these numbers, so a change made by any process (another
    gunicorn worker, another server, a management command) is seen at the next request,
    whatever cache backend each process has.
    """

    key = models.CharField(_("key"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("change generation")
        verbose_name_plural = _("change generations")

    def __str__(self):
        return f"{self.key}={self.value}"


class CacheEntry(models.Model):
    """The table Django's database cache uses in production when REDIS_URL is not set.

    Declared as a model so that `migrate` creates it; Django's DatabaseCache reads and
    writes it with its own SQL (the columns are the ones `createcachetable` would make).
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "potluck_cache"
        verbose_name = _("cache entry")
        verbose_name_plural = _("cache entries")

    def __str__(self):
        return self.cache_key
