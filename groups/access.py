"""Who is a member, who organizes: the one answer every page, file, feed and export asks.

"Members only" means a current membership of the group (a visitor who made an account but
never joined, who left, or whose request to join still waits for approval, is not a member).
Organizers (both organizer roles) and superusers see everything members see. Event hosts are
named per event by organizers.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from .models import ORGANIZER_ROLES, Membership, Role


@dataclass(frozen=True)
class Viewer:
    """The person looking at a page, as the group sees them."""

    user: object
    role: str | None  # their membership role, None when they are not a member
    # The group they look at: its settings decide some audiences (groups.visibility).
    group: object = field(default=None, compare=False, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated)

    @property
    def is_member(self) -> bool:
        return self.role is not None or self.is_superuser

    @property
    def is_organizer(self) -> bool:
        """Organizer or co-organizer (or a superuser): runs events and sees the door lists."""
        return self.role in ORGANIZER_ROLES or self.is_superuser

    @property
    def is_lead_organizer(self) -> bool:
        """The organizer role alone changes roles and the group's settings."""
        return self.role == Role.ORGANIZER or self.is_superuser

    @property
    def is_superuser(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_superuser)

    def is_self(self, person) -> bool:
        return self.is_authenticated and person is not None and person.pk == self.user.pk


def membership_role(user, group) -> str | None:
    if group is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.active()
        .filter(group=group, user=user)
        .values_list("role", flat=True)
        .first()
    )


def viewer_for(user, group) -> Viewer:
    return Viewer(user, membership_role(user, group), group)


def viewer(request) -> Viewer:
    """The request's viewer, read once per request (one query for a logged-in person).

    `request.viewer` as groups.middleware set it (or the event page's version query),
    computed again (and stored there) when request.user changed since (logging in), and
    for a request that did not pass through the middleware (RequestFactory).
    """
    looking = getattr(request, "viewer", None)
    if looking is None or looking.user is not request.user:
        looking = viewer_for(request.user, getattr(request, "group", None))
        request.viewer = looking
    return looking


def is_member(user, group) -> bool:
    """A current membership of the group; what every "members only" rule means."""
    return viewer_for(user, group).is_member


def membership_exists(user, group_ref: str = "group"):
    """For querysets: the row's group has this user as a member (False for visitors)."""
    if not user.is_authenticated:
        return Exists(Membership.objects.none())
    return Exists(Membership.objects.active().filter(group=OuterRef(group_ref), user=user))
