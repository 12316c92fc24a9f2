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
    """Organizers and co-organizers are staff in the "Organizers" permission group."""
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
