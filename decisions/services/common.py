"""What proposals and polls share: who may act, who is told."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from groups.access import viewer_for
from groups.models import Group, Membership

from .. import counting

PROPOSALS_CATEGORY = gettext_noop("Proposals")


MAX_OPTIONS = 20
MAX_DOTS = 100


REMIND_BEFORE = timedelta(days=1)


# Other names callers use for the three methods.
METHOD_NAMES = {
    "single_choice": counting.Method.SINGLE,
    "plurality": counting.Method.SINGLE,
    "instant_runoff": counting.Method.RANKED,
    "irv": counting.Method.RANKED,
    "ranked_choice": counting.Method.RANKED,
    "score_voting": counting.Method.SCORE,
    "dot_voting": counting.Method.DOTS,
    "date": counting.Method.DATES,
    "time": counting.Method.DATES,
}


RESULTS_CACHED = 60 * 60 * 24 * 7  # a closed poll's count, a week (it cannot change)


def _require_member(group: Group, member):
    looking = viewer_for(member, group)
    if not looking.is_member:
        raise PermissionDenied(_("Only members of the group can do this."))
    return looking


def _require_organizer(group: Group, member):
    looking = viewer_for(member, group)
    if not looking.is_organizer:
        raise PermissionDenied(_("Only organizers can do this."))
    return looking


def _interested(group: Group, *, exclude=None) -> list[int]:
    """Members who asked for emails about new proposals and polls."""
    members = Membership.objects.active().filter(
        group=group, user__is_active=True, user__notify_decisions=True
    )
    if exclude is not None:
        members = members.exclude(user=exclude)
    return list(members.values_list("user_id", flat=True))
