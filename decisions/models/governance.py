"""Elections that hand over roles, and polls on the settings the members decide.

Each is a poll (decisions.Poll) with a row here saying what its close does; the close itself
is decisions.services.governance.on_poll_closed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models import MEMBER_DECIDED_SETTINGS, Role, setting_choices


class ElectedRole(models.TextChoices):
    ORGANIZER = Role.ORGANIZER.value, Role.ORGANIZER.label
    CO_ORGANIZER = Role.CO_ORGANIZER.value, Role.CO_ORGANIZER.label


class Election(models.Model):
    """A ranked poll that elects `seats` people to a role until `term_ends`."""

    poll = models.OneToOneField(
        to="decisions.Poll", on_delete=models.CASCADE, related_name="election"
    )
    role = models.CharField(_("role"), max_length=20, choices=ElectedRole.choices)
    seats = models.PositiveSmallIntegerField(_("seats"))
    term_ends = models.DateTimeField(_("term ends"))
    # Set once each, by the close and by the reminder before the term ends.
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=ElectedRole.values), name="decisions_election_role_valid"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="decisions_election_seats"),
        ]

    def __str__(self):
        return str(self.poll)


class Candidate(models.Model):
    """A member standing in an election: one of the poll's options, public with their name."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    option = models.OneToOneField(
        to="decisions.Option", on_delete=models.CASCADE, related_name="candidate"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # an account deleted: nobody takes the seat
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="decisions_candidate_once"),
        ]

    def __str__(self):
        return str(self.option)


class SettingPoll(models.Model):
    """A yes/no poll proposing a value for one of the settings the members decide: "on" or
    "off" for a switch, the choice's value otherwise (groups.models.setting_choices)."""

    poll = models.OneToOneField(
        to="decisions.Poll", on_delete=models.CASCADE, related_name="setting_poll"
    )
    setting = models.CharField(_("setting"), max_length=40)
    value = models.CharField(_("proposed value"), max_length=20)
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    passed = models.BooleanField(null=True, editable=False)

    class Meta:
        verbose_name = _("settings poll")
        verbose_name_plural = _("settings polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(setting__in=MEMBER_DECIDED_SETTINGS),
                name="decisions_settingpoll_setting_valid",
            ),
        ]

    def __str__(self):
        return str(self.poll)

    @property
    def value_label(self) -> str:
        return str(dict(setting_choices(self.setting)).get(self.value, self.value))
