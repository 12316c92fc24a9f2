import secrets
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from groups.models import AlertChoice
from groups.visibility import ShownTo


class UserManager(BaseUserManager):
    """Creates users keyed by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


# The areas of the IANA time zone database whose zones are named after places
# (Europe/Madrid); the older aliases (US/Eastern, Etc/GMT+5, EST5EDT…) are left out.
TIME_ZONE_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


@cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """The zones a member can pick on /me/: every place zone.available_timezones() knows, and
    UTC. A callable, so the migration names it instead of copying hundreds of zones."""
    names = sorted(
        name for name in available_timezones() if name.split("/", 1)[0] in TIME_ZONE_AREAS
    )
    return (*((name, name.replace("_", " ")) for name in names), ("UTC", "UTC"))


def shown_to_field(label, default: str) -> models.CharField:
    return models.CharField(label, max_length=10, choices=ShownTo.choices, default=default)


class ProfileLink(NamedTuple):
    label: str
    url: str


MAX_LINKS = 5


def parse_links(text: str) -> list[ProfileLink]:
    """The links field's lines as (label, address): the last word of a line is the address,
    the words before it the label (the address's host when there are none)."""
    links = []
    for line in text.splitlines():
        *words, url = line.split() or [""]
        if url:
            links.append(ProfileLink(" ".join(words) or urlsplit(url).netloc or url, url))
    return links


class User(ConstraintFieldsMixin, AbstractBaseUser, PermissionsMixin):
    """A person with an account; email is how they log in, display name how others see them."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=100)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the person can open the admin (organizers)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    calendar_token = models.CharField(
        _("personal calendar token"),
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text=_("The secret part of the member's personal calendar feed address."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    links = models.TextField(
        _("links"),
        blank=True,
        max_length=1000,
        help_text=_(
            "Up to five, one per line: a label, then the web address "
            "(“Blog https://example.org”). The label can be left out."
        ),
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    profile_visibility = models.CharField(
        _("who sees my profile"),
        max_length=20,
        choices=[("members", _("Members of the group")), ("everyone", _("Everyone"))],
        default="members",
    )
    notify_new_events = models.BooleanField(_("emails about new events"), default=True)
    notify_series = models.BooleanField(
        _("new dates in the series I follow"),
        default=True,
        help_text=_("You follow a series with the button on its page."),
    )
    notify_reminders = models.BooleanField(_("reminders before events I'm going to"), default=True)
    notify_organizer_messages = models.BooleanField(_("messages from organizers"), default=True)
    notify_announcements = models.BooleanField(_("announcements to the group"), default=True)
    notify_discussions = models.BooleanField(
        _("new replies in discussions I follow"),
        default=True,
        help_text=_("You follow a discussion when you start it or reply, or with its button."),
    )
    discussion_digest = models.BooleanField(
        _("as one daily digest instead of one email per reply"), default=False
    )
    organizer_alerts = models.CharField(
        _("when a request to join, a report or a takedown request arrives"),
        max_length=10,
        choices=AlertChoice.choices,
        default=AlertChoice.AT_ONCE,
        help_text=_("For organizers: how you hear of what waits for you in the admin."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Of the site and of every email we send you. Empty: your browser's."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=time_zone_choices,
        blank=True,
        default="",
        help_text=_(
            "Every time is also shown in this zone, beside the group's, when the clocks "
            "differ. Empty: the group's zone alone."
        ),
    )
    notify_decisions = models.BooleanField(
        _("new proposals and polls"),
        default=False,
        help_text=_("An email when a member proposes something or a poll opens."),
    )
    notify_poll_reminders = models.BooleanField(
        _("a reminder a day before a poll I have not voted in closes"), default=True
    )
    notify_weekly = models.BooleanField(
        _("a weekly email of what happened in the group"),
        default=False,
        help_text=_(
            "On Mondays, if anything happened: new events, discussions and proposals, open "
            "polls, photos of evenings you went to."
        ),
    )
    show_in_attendee_lists = models.BooleanField(
        _("show me in attendee lists"),
        default=True,
        help_text=_("Other members see your name among the people going to an event."),
    )

    # Who sees each part of the profile (groups.visibility: the rules "profile_<part>").
    pronouns_shown_to = shown_to_field(_("who sees my pronouns"), ShownTo.EVERYONE)
    city_shown_to = shown_to_field(_("who sees my city"), ShownTo.EVERYONE)
    bio_shown_to = shown_to_field(_("who sees my bio"), ShownTo.EVERYONE)
    links_shown_to = shown_to_field(_("who sees my links"), ShownTo.EVERYONE)
    since_shown_to = shown_to_field(_("who sees since when I am a member"), ShownTo.EVERYONE)
    evenings_shown_to = shown_to_field(_("who sees how many evenings I went to"), ShownTo.MEMBERS)
    breakouts_shown_to = shown_to_field(
        _("who sees how many breakouts I facilitated"), ShownTo.MEMBERS
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    constraint_fields = {"email_taken": "email"}

    class Meta:
        verbose_name = _("member account")
        verbose_name_plural = _("member accounts")
        ordering = ["display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="members_user_email_ci_unique",
                violation_error_message=_(
                    "There is already an account with this email address (capital letters "
                    "count as the same)."
                ),
                violation_error_code="email_taken",
            ),
        ]
        indexes = [
            # The members directory's order (members.views.DIRECTORY_ORDER): read in index
            # order, a page stops after its rows instead of sorting every member.
            models.Index(Lower("display_name"), "id", name="members_user_name_ci_idx"),
        ]

    def __str__(self):
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("members:profile", kwargs={"pk": self.pk})

    @property
    def link_list(self) -> list[ProfileLink]:
        return parse_links(self.links)


def user_display(user) -> str:
    """How allauth names a user in its pages and emails."""
    return user.display_name or user.email
