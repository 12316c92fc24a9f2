"""The facts a profile shows besides what the member wrote: counted in SQL, never stored."""

from django.db.models import OuterRef
from django.utils import timezone

from core.db import subquery_count
from events.models import RSVP, Breakout, Event, EventStatus, RSVPStatus
from groups.models import Membership


def profile_facts(*, group_field: str = "group", now=None) -> dict:
    """Evenings attended and breakouts facilitated, as subqueries to annotate a Membership
    queryset with (no query of their own): the group's past published events the member
    went to (checked in, or going and not marked a no-show), and the breakouts of those
    events they facilitated."""
    now = now or timezone.now()
    past = (
        Event.objects.filter(group=OuterRef(OuterRef(group_field)), status=EventStatus.PUBLISHED)
        .past(now)
        .order_by()
        .values("pk")
    )
    evenings = RSVP.objects.filter(
        member=OuterRef("user"), event__in=past, status=RSVPStatus.GOING, no_show=False
    )
    breakouts = Breakout.objects.filter(facilitator=OuterRef("user"), event__in=past)
    return {
        "evenings_attended": subquery_count(evenings, "member"),
        "breakouts_facilitated": subquery_count(breakouts, "facilitator"),
    }


def profile_facts_for(member) -> dict:
    """What the member's profile says of them in each group, for their data export: the first
    membership's (one group per site)."""
    membership = (
        Membership.objects.active()
        .filter(user=member)
        .annotate(**profile_facts())
        .order_by("joined_at", "pk")
        .first()
    )
    if membership is None:
        return {"member_since": None, "evenings_attended": 0, "breakouts_facilitated": 0}
    return {
        "member_since": membership.joined_at,
        "evenings_attended": membership.evenings_attended,
        "breakouts_facilitated": membership.breakouts_facilitated,
    }
