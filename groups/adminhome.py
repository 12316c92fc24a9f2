"""What the group brings to the admin home (core/adminhome.py): join requests waiting, and
the first steps of a new group: its texts, its cover and co-organizers."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminhome import Step, Waiting

from .access import viewer
from .models import Membership, PendingAction


def join_requests(request) -> Iterable[Waiting]:
    group = request.group
    if group is None or not request.user.has_perm("groups.change_membership"):
        return
    count = Membership.objects.pending().filter(group=group).count()
    yield Waiting(
        count=count,
        text=ngettext(
            "%(counter)s join request waiting", "%(counter)s join requests waiting", count
        )
        % {"counter": count},
        url=reverse("admin:groups_membership_changelist") + "?status__exact=pending",
    )


def first_steps(request) -> Iterable[Step]:
    group = request.group
    if group is None or not request.user.has_perm("groups.change_group"):
        return
    group_url = reverse("admin:groups_group_change", args=[group.pk])
    yield Step(
        text=_("Write the group's tagline and “About”"),
        url=group_url,
        done=bool(group.tagline and group.about),
    )
    yield Step(text=_("Choose a cover image"), url=group_url, done=bool(group.cover_image))
    organizers = Membership.objects.organizers().filter(group=group).count()
    yield Step(
        text=_("Make a member co-organizer (in their membership)"),
        url=reverse("admin:groups_membership_changelist") + "?status__exact=active",
        done=organizers > 1,
    )


def pending_actions(request) -> Iterable[Waiting]:
    """Acts another organizer asked for, waiting for this one to confirm (groups.confirmations)."""
    group = request.group
    if group is None or not viewer(request).is_organizer:
        return
    count = (
        PendingAction.objects.waiting().filter(group=group).exclude(requested_by=request.user)
    ).count()
    yield Waiting(
        count=count,
        text=ngettext(
            "%(counter)s act waiting for you to confirm it as second organizer",
            "%(counter)s acts waiting for you to confirm them as second organizer",
            count,
        )
        % {"counter": count},
        url=reverse("actions_pending"),
        order=10,
    )
