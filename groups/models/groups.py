"""The group itself and the links it shows: its profile, resources and "find us also at"."""

import re
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.imagefiles import COVER, image_srcset, image_url
from core.markdown import StoredMarkdown


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone name, such as America/New_York."),
            params={"value": value},
        )


def embed_origin_list(text: str) -> list[str]:
    """The origins in a text of one per line (blank lines ignored), as written."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def validate_embed_origins(value: str) -> None:
    """Each line one origin, scheme://host[:port]: what a CSP frame-ancestors source is."""
    bad = [origin for origin in embed_origin_list(value) if not ORIGIN.fullmatch(origin)]
    if bad:
        raise ValidationError(
            _(
                "Write one origin per line, as scheme://host or scheme://host:port, such as "
                "https://example.org (no path, no slash at the end). Not an origin: %(bad)s"
            ),
            params={"bad": ", ".join(bad)},
        )


# scheme://host[:port]: http or https, a host name or IPv4 address, an optional port.
ORIGIN = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?::[0-9]{1,5})?",
    re.IGNORECASE,
)


# The settings that decide members' privacy and power: when members_decide_settings is on, only
# a passed settings poll changes them (decisions.services.settings_polls).
MEMBER_DECIDED_SETTINGS = (
    "join_needs_approval",
    "members_open_polls",
    "attendee_lists",
    "comments_may_be_public",
    "members_decide_settings",
)


class AttendeeLists(models.TextChoices):
    """Who sees the names of the people going to an event (groups.visibility, "attendance");
    the values are groups.visibility.Audience values."""

    ANYONE = "anyone", _("everyone")
    MEMBERS = "members", _("members")
    HOSTS = "hosts", _("organizers and the event's hosts only")


def setting_choices(name: str) -> list[tuple[str, str]]:
    """The values one of MEMBER_DECIDED_SETTINGS can take, as a settings poll writes them:
    "on" / "off" for a switch, the choice's value otherwise."""
    field = Group._meta.get_field(name)
    if field.choices:
        return list(field.choices)
    return [("on", _("on")), ("off", _("off"))]


def setting_value(group, name: str) -> str:
    """The group's current value of a member-decided setting, written as setting_choices."""
    value = getattr(group, name)
    if isinstance(value, bool):
        return "on" if value else "off"
    return value


def setting_assign(group, name: str, value: str) -> None:
    """Sets a member-decided setting on the instance from its written value (not saved)."""
    field = Group._meta.get_field(name)
    setattr(group, name, value == "on" if isinstance(field, models.BooleanField) else value)


class GroupQuerySet(models.QuerySet):
    def current(self):
        """The group this site serves: Potluck runs one group per installation."""
        return self.order_by("pk").first()


class Group(ConstraintFieldsMixin, models.Model):
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
    # The Markdown fields rendered to sanitized HTML when saved (core.markdown.markdown_store).
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
    no_show_note_after = models.PositiveSmallIntegerField(
        _("gentle note after this many no-shows"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Empty: off. A number: a member marked a no-show that many times (not counted in "
            "an earlier note) gets a friendly email asking them to cancel when plans change."
        ),
    )
    join_needs_approval = models.BooleanField(
        _("joining needs an organizer's approval"),
        default=False,
        help_text=_(
            "Off: anyone who signs up is a member. On: a request to join waits in the "
            "memberships list until an organizer approves or declines it."
        ),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder, hours before an event"),
        default=24,
        help_text=_("Members who are going get one reminder this long before the event starts."),
    )
    members_open_polls = models.BooleanField(
        _("members may open polls"),
        default=False,
        help_text=_("When ticked, any member may open a poll, not only the organizers."),
    )
    attendee_lists = models.CharField(
        _("who sees attendee lists"),
        max_length=20,
        choices=AttendeeLists.choices,
        default=AttendeeLists.MEMBERS,
        help_text=_(
            "Who sees the names of the people going to an event. Members who turn their name "
            "off on /me/ are seen only by the organizers and the event's hosts, whatever this says."
        ),
    )
    comments_may_be_public = models.BooleanField(
        _("event comments may be public"),
        default=True,
        help_text=_(
            "On: organizers may let visitors read an event's comments (a setting of each "
            "event). Off: only members read comments, on every event."
        ),
    )
    members_decide_settings = models.BooleanField(
        _("members decide these settings"),
        default=False,
        help_text=_(
            "On: whether joining needs approval, whether members may open polls, who sees "
            "attendee lists, whether event comments may be public, and this switch itself "
            "change only by a settings poll the members pass. Set when the group is created, "
            "or by a settings poll."
        ),
    )
    embed_origins = models.TextField(
        _("sites that may embed our events"),
        blank=True,
        validators=[validate_embed_origins],
        help_text=_(
            "One origin per line, such as https://example.org: only these sites may show "
            "the list of our next events (/embed/events/) in a frame. Empty: none."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="member_of_groups"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GroupQuerySet.as_manager()

    MARKDOWN_FIELDS = ("about", "step_up")
    html = property(StoredMarkdown)  # {{ group.html.about }}

    constraint_fields = {"slug_taken": "slug"}

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="groups_group_slug_ci_unique",
                violation_error_message=_("Another group already uses this slug."),
                violation_error_code="slug_taken",
            ),
            models.CheckConstraint(
                condition=models.Q(attendee_lists__in=AttendeeLists.values),
                name="groups_group_attendee_lists_valid",
            ),
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

    @property
    def embed_origin_list(self) -> list[str]:
        return embed_origin_list(self.embed_origins)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


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
