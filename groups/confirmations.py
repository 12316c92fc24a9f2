"""Two organizers for destructive acts (issue 27, item 6).

Where a group has two or more organizers, banning, removing a member, deleting the group,
cancelling a poll and deleting a discussion wait as a PendingAction until another organizer
confirms it (action_confirm); a request lapses after seven days. With one organizer the act
happens at once, as before. Each act is an ActionKind registered by the app that owns it
(groups here; decisions: cancelling a poll; conversation: deleting a discussion), whose
perform() does it through the app's own service, logging both organizers' names.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.registry import Registry

from . import services
from .alerts import organizers_alert
from .hooks import AlertKind
from .models import LogKind, Membership, PendingAction, PendingActionStatus


@dataclass(frozen=True)
class ActionKind:
    """A destructive act. perform(group=…, target=…, reason=…, by=…, confirmed_by=…) does it
    (by: who asked; confirmed_by: the second organizer, or None when the group has one
    organizer) and raises ValidationError when it cannot be done any more."""

    name: str
    label: str | Promise
    perform: Callable[..., None]


action_kinds: Registry[ActionKind] = Registry(
    """The acts that wait for a second organizer, each registered by the app that owns it from
    its AppConfig.ready() (groups: ban, remove, delete the group; decisions: cancel a poll;
    conversation: delete a discussion)."""
)


def action_kind(name: str) -> ActionKind:
    for kind in action_kinds:
        if kind.name == name:
            return kind
    raise LookupError(f"{name!r} is not a registered action kind")


def needs_second_organizer(group) -> bool:
    return Membership.objects.organizers().filter(group=group).count() >= 2


def action_request(
    *, group, kind: str, target: int, title: str, by, reason: str = "", now=None
) -> PendingAction | None:
    """Asks for a destructive act: done at once (None) where the group has one organizer;
    otherwise a PendingAction that waits for another organizer, who is alerted. Asking again
    for the same act while it waits returns the waiting request."""
    act = action_kind(kind)
    if not Membership.objects.organizers().filter(group=group, user=by).exists():
        raise PermissionDenied(_("Only an organizer can do this."))
    with transaction.atomic():
        if not needs_second_organizer(group):
            act.perform(group=group, target=target, reason=reason, by=by, confirmed_by=None)
            return None
        existing = (
            PendingAction.objects.waiting(now=now)
            .filter(group=group, kind=kind, target=target)
            .first()
        )
        if existing is not None:
            return existing
        action = PendingAction.objects.create(
            group=group,
            kind=kind,
            target=target,
            title=title[:200],
            reason=reason,
            requested_by=by,
            requested_at=now or timezone.now(),
        )
        organizers_alert(group=group, kind=PENDING_ACTION, params={"action": action.pk}, now=now)
    return action


def action_confirm(*, action: PendingAction, by, now=None) -> PendingAction:
    """The second organizer confirms: the act is done, and both names are in the log.
    Refused (ValidationError) for the organizer who asked, someone who is not an organizer,
    a request already done, or one that lapsed (seven days)."""
    now = now or timezone.now()
    with transaction.atomic():
        current = PendingAction.objects.select_for_update().get(pk=action.pk)
        if current.status == PendingActionStatus.WITHDRAWN:
            raise ValidationError(_("Whoever asked withdrew this request."), code="withdrawn")
        if current.status != PendingActionStatus.WAITING:
            raise ValidationError(_("This has already been confirmed."), code="done")
        if current.is_lapsed(now=now):
            raise ValidationError(
                _("This request lapsed: nobody confirmed it within seven days. Ask again."),
                code="lapsed",
            )
        if not Membership.objects.organizers().filter(group=current.group, user=by).exists():
            raise ValidationError(_("Only an organizer can confirm this."), code="not_organizer")
        if current.requested_by_id == by.pk:
            raise ValidationError(
                _("You asked for this yourself: another organizer has to confirm it."),
                code="own_request",
            )
        current.status = PendingActionStatus.DONE
        current.confirmed_by = by
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        action_kind(current.kind).perform(
            group=current.group,
            target=current.target,
            reason=current.reason,
            by=current.requested_by,
            confirmed_by=by,
        )
    return current


def action_withdraw(*, action: PendingAction, by, now=None) -> PendingAction:
    """The organizer who asked takes the request back while it waits: nothing is done, and the
    log says that they withdrew a request for this kind of act (not about whom: a withdrawn
    ban names nobody). Refused (ValidationError) for anyone else, or once it is done, withdrawn
    or lapsed."""
    now = now or timezone.now()
    with transaction.atomic():
        current = PendingAction.objects.select_for_update().get(pk=action.pk)
        if current.requested_by_id != by.pk:
            raise ValidationError(
                _("Only the organizer who asked can withdraw this."), code="not_own"
            )
        if current.status != PendingActionStatus.WAITING or current.is_lapsed(now=now):
            raise ValidationError(
                _("This no longer waits: there is nothing to withdraw."), code="done"
            )
        current.status = PendingActionStatus.WITHDRAWN
        current.withdrawn_at = now
        current.save(update_fields=["status", "withdrawn_at"])
        services.log_record(
            group=current.group_id,
            kind=LogKind.ACTION_WITHDRAWN,
            by=by,
            detail=current.kind,
            at=now,
        )
    return current


# --- Organizers hear of an act waiting for them --------------------------------------------------

PENDING_ACTION = "pending_action"


def pending_action_line(params: dict) -> tuple[str, str] | None:
    action = (
        PendingAction.objects.waiting()
        .select_related("requested_by")
        .filter(pk=params.get("action"))
        .first()
    )
    if action is None:
        return None
    asked = action.requested_by.display_name if action.requested_by else _("A former member")
    text = _("%(name)s asks a second organizer to confirm: %(what)s") % {
        "name": asked,
        "what": action.title,
    }
    return text, reverse("action_confirm", args=[action.pk])


PENDING_ACTION_ALERT = AlertKind(
    name=PENDING_ACTION,
    label=gettext_lazy("An act waiting for a second organizer, for organizers"),
    line=pending_action_line,
    templates="groups/email/pending_action",
)


# --- The group's own acts ------------------------------------------------------------------------


def _ban(*, group, target, reason, by, confirmed_by) -> None:
    user = get_user_model().objects.filter(pk=target).first()
    if user is None:
        raise ValidationError(_("This account no longer exists."), code="gone")
    services.membership_ban(group=group, user=user, by=by, reason=reason, confirmed_by=confirmed_by)


def _remove(*, group, target, reason, by, confirmed_by) -> None:
    membership = Membership.objects.filter(group=group, user_id=target).first()
    if membership is None:
        raise ValidationError(_("This person is no longer a member."), code="gone")
    services.membership_remove(
        membership=membership, by=by, reason=reason, confirmed_by=confirmed_by
    )


def _delete_group(*, group, target, reason, by, confirmed_by) -> None:
    services.group_delete(group=group)


MEMBER_BAN = ActionKind(name="member_ban", label=gettext_lazy("Ban"), perform=_ban)
MEMBER_REMOVE = ActionKind(name="member_remove", label=gettext_lazy("Remove"), perform=_remove)
GROUP_DELETE = ActionKind(
    name="group_delete", label=gettext_lazy("Delete the group"), perform=_delete_group
)
