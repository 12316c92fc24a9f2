"""Reads that the group's pages share."""

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from events.models import Event, guest_speakers_prefetch

from .models import Group, Membership

RECENT_PAST = 3


def _count(queryset, group: Group) -> Coalesce:
    """COUNT(*) of a queryset as a subquery, so several counts cost one round trip."""
    counted = (
        queryset.filter(group=group).order_by().values("group").annotate(n=Count("*")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def group_counts(group: Group, now=None) -> dict:
    now = now or timezone.now()
    published = Event.objects.published()
    row = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            n_members=_count(Membership.objects.all(), group),
            n_upcoming=_count(published.upcoming(now), group),
            n_past=_count(published.past(now), group),
        )
        .values("n_members", "n_upcoming", "n_past")
        .get()
    )
    return {
        "members": row["n_members"],
        "upcoming": row["n_upcoming"],
        "past": row["n_past"],
        "photos": 0,  # photos arrive with the photos app
    }


def home_context(group: Group, now=None) -> dict:
    now = now or timezone.now()
    published = Event.objects.published().select_related("venue")
    next_events = list(published.upcoming(now)[:1])
    recent_past = list(published.past(now)[:RECENT_PAST])
    prefetch_related_objects(next_events + recent_past, guest_speakers_prefetch())
    organizers = list(
        group.memberships.organizers().select_related("user").order_by("role", "joined_at", "pk")
    )
    return {
        "next_event": next_events[0] if next_events else None,
        "recent_past": recent_past,
        "organizers": organizers,
        "resource_links": list(group.resource_links.all()),
        "social_links": list(group.social_links.all()),
        "counts": group_counts(group, now),
    }
