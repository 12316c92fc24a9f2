"""Settings the members decide: with the group's "members decide these settings" on, the
settings that shape members' privacy and power change only by a yes/no poll that passes."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import generations
from groups.models import (
    MEMBER_DECIDED_SETTINGS,
    Group,
    LogKind,
    setting_assign,
    setting_choices,
    setting_value,
)
from groups.services import log_record

from .. import counting
from ..models import Poll, SettingPoll
from .polls import poll_open, poll_results


def setting_name(setting: str) -> str:
    return str(Group._meta.get_field(setting).verbose_name)


def _question(setting: str, value: str) -> str:
    return _("Change “%(setting)s” to “%(value)s”?") % {
        "setting": setting_name(setting),
        "value": dict(setting_choices(setting))[value],
    }


def setting_poll_open(
    *,
    group: Group,
    by,
    setting: str,
    value: bool | str,
    closes_at: datetime,
    now: datetime | None = None,
) -> Poll:
    """Proposes a value for one of the settings the members decide: a single-choice poll,
    Yes / No, open now, opened by whoever may open polls. It applies the value when it
    closes with more yes than no (more than half of the ballots). value: True / False (or
    "on" / "off") for a switch, one of the choices' values for "who sees attendee lists"."""
    now = now or timezone.now()
    if setting not in MEMBER_DECIDED_SETTINGS:
        raise ValidationError({"setting": _("Choose one of the settings the members decide.")})
    if isinstance(value, bool):
        value = "on" if value else "off"
    if value not in dict(setting_choices(setting)):
        raise ValidationError({"value": _("Choose one of this setting's values.")})
    if setting_value(group, setting) == value:
        raise ValidationError({"value": _("The setting already has this value.")})
    with transaction.atomic():
        with translation.override(settings.LANGUAGE_CODE):
            question, yes, no = _question(setting, value), _("Yes"), _("No")
            details = _(
                "If more than half of the ballots say yes, the change is made when the poll closes."
            )
        with translation.override("es"):
            question_es, yes_es, no_es = _question(setting, value), _("Yes"), _("No")
            details_es = _(
                "If more than half of the ballots say yes, the change is made when the poll closes."
            )
        poll = poll_open(
            group=group,
            by=by,
            question=question,
            question_es=question_es,
            details=details,
            details_es=details_es,
            options=[yes, no],
            options_es=[yes_es, no_es],
            method=counting.Method.SINGLE,
            opens_at=now,
            closes_at=closes_at,
            now=now,
        )
        SettingPoll.objects.create(poll=poll, setting=setting, value=value)
    return poll


def setting_poll_apply(poll: Poll, *, now: datetime) -> str:
    """At the close: more yes than no changes the setting (logged); otherwise nothing
    changes. The poll's own "closed" entry says Yes or No; the change has an entry of its own."""
    proposal = SettingPoll.objects.select_for_update().filter(poll=poll).first()
    if proposal is None or proposal.applied_at is not None:
        return ""
    counts = poll_results(poll=poll).first.counts
    yes, no = (counts[option] for option in sorted(counts, key=lambda o: o.position))
    passed = yes > no
    generations.update(SettingPoll.objects.filter(pk=proposal.pk), applied_at=now, passed=passed)
    if not passed:
        return ""
    group = Group.objects.select_for_update().get(pk=poll.group_id)
    setting_assign(group, proposal.setting, proposal.value)
    group.save(update_fields=[proposal.setting, "updated_at"])
    log_record(
        group=group,
        kind=LogKind.SETTING_CHANGED,
        title=poll.question,
        url=poll.get_absolute_url(),
        detail=f"{proposal.setting}:{proposal.value}",
        key=f"setting-changed:{poll.pk}",
        at=now,
    )
    return ""
