"""The home page's reads: the group with its next events, recent photos and counts."""

from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from events.models import Event, guest_speakers_prefetch
from groups.db import subquery_count
from groups.models import Group, Membership
from groups.queries import group_links
from photos.models import Photo

RECENT_PAST = 3
RECENT_PHOTOS = 6


def _count(queryset, group: Group, path: str = "group"):
    return subquery_count(queryset.filter(**{path: group}), path)


def group_counts(group: Group, now=None) -> dict:
    now = now or timezone.now()
    published = Event.objects.published()
    row = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            n_members=_count(Membership.objects.all(), group),
            n_upcoming=_count(published.upcoming(now), group),
            n_past=_count(published.past(now), group),
            n_photos=_count(Photo.objects.published(), group, "album__group"),
        )
        .values("n_members", "n_upcoming", "n_past", "n_photos")
        .get()
    )
    return {
        "members": row["n_members"],
        "upcoming": row["n_upcoming"],
        "past": row["n_past"],
        "photos": row["n_photos"],
    }


def home_context(group: Group, user, now=None) -> dict:
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
        **group_links(group),
        "is_member": user.is_authenticated
        and Membership.objects.filter(group=group, user=user).exists(),
        "recent_photos": list(
            Photo.objects.visible_to(user)
            .filter(album__group=group)
            .exclude(grid_jpeg="")
            .order_by("-uploaded_at", "-pk")[:RECENT_PHOTOS]
        ),
        "counts": group_counts(group, now),
    }
