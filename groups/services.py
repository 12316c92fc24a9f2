from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ORGANIZER_ROLES, Group, Membership, Role
from .permissions import organizers_group
from .tasks import send_contact_message


def contact_send(*, group: Group, name: str, email: str, message: str) -> None:
    """Queues the contact message to the organizers once the request's transaction commits."""
    transaction.on_commit(
        lambda: send_contact_message.enqueue(
            group_id=group.pk, name=name, email=email, message=message
        )
    )


def _sync_organizer_status(user) -> None:
    """Organizers and co-organizers are staff in the "Organizers" permission group.

    Derived from memberships every time one is created, changed, moved to another person or
    deleted, and when a group goes: staff status never outlives the role that gave it.
    """
    if user is None:
        return
    is_organizer = Membership.objects.filter(user=user, role__in=ORGANIZER_ROLES).exists()
    group = organizers_group()
    if is_organizer:
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        user.groups.remove(group)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def is_last_organizer(membership: Membership) -> bool:
    """Whether this membership is the only one left with an organizer role (no lock)."""
    return (
        membership.role in ORGANIZER_ROLES
        and not Membership.objects.filter(group_id=membership.group_id, role__in=ORGANIZER_ROLES)
        .exclude(pk=membership.pk)
        .exists()
    )


def ensure_not_last_organizer(membership: Membership) -> None:
    if membership.role not in ORGANIZER_ROLES:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(group=membership.group, role__in=ORGANIZER_ROLES)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _(
                "You are the group's last organizer. Make another member an organizer first, "
                "so the group is never left without one."
            ),
            code="last_organizer",
        )


def membership_join(*, group: Group, user) -> Membership:
    membership, _created = Membership.objects.get_or_create(group=group, user=user)
    return membership


def membership_leave(*, group: Group, user) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
        if membership is None:
            return
        ensure_not_last_organizer(membership)
        membership.delete()
        _sync_organizer_status(user)


def membership_save(*, membership: Membership) -> Membership:
    """Creates or changes a membership (the admin's form), role and person included.

    Moving a membership to another person or demoting it keeps the group's last organizer;
    both the person it left and the person it reached get their staff status recomputed.
    """
    with transaction.atomic():
        before = (
            Membership.objects.select_for_update().filter(pk=membership.pk).first()
            if membership.pk
            else None
        )
        leaving_organizer = before is not None and before.role in ORGANIZER_ROLES
        if leaving_organizer and (
            membership.role not in ORGANIZER_ROLES or membership.user_id != before.user_id
        ):
            ensure_not_last_organizer(before)
        membership.full_clean()
        membership.save()
        _sync_organizer_status(membership.user)
        if before is not None and before.user_id != membership.user_id:
            _sync_organizer_status(before.user)
    return membership


def membership_delete(*, membership: Membership) -> None:
    """Removes a membership (never the last organizer's); the person's staff status follows."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            return
        ensure_not_last_organizer(current)
        user = current.user
        current.delete()
        _sync_organizer_status(user)


def group_delete(*, group: Group) -> int:
    """Deletes the group and all it holds (a superuser's command, never the admin)."""
    with transaction.atomic():
        users = list({m.user for m in group.memberships.select_related("user")})
        deleted, _by_model = group.delete()
        for user in users:
            _sync_organizer_status(user)
    return deleted


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    """Changes a role; the "Organizers" permission group and staff status follow."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role in ORGANIZER_ROLES and role not in ORGANIZER_ROLES:
            ensure_not_last_organizer(current)
        current.role = Role(role)
        current.save(update_fields=["role"])
        _sync_organizer_status(current.user)
    return current
