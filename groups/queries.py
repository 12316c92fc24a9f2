"""Reads that the group's pages share."""

from django.db.models import Value
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from events.models import Event, guest_speakers_prefetch
from photos.models import Photo

from .db import subquery_count
from .models import Group, Membership, ResourceLink, SocialLink

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


def _links(group: Group) -> dict:
    """Resource and "find us also at" links in one query (a UNION)."""
    resources = (
        ResourceLink.objects.filter(group=group)
        .order_by()
        .annotate(kind=Value("resource"))
        .values_list("title", "url", "note", "order", "pk", "kind")
    )
    social = (
        SocialLink.objects.filter(group=group)
        .order_by()
        .annotate(blank=Value(""), kind=Value("social"))
        .values_list("label", "url", "blank", "order", "pk", "kind")
    )
    rows = sorted(resources.union(social, all=True), key=lambda row: (row[3], row[4]))
    return {
        "resource_links": [
            {"title": title, "url": url, "note": note}
            for title, url, note, _o, _pk, kind in rows
            if kind == "resource"
        ],
        "social_links": [
            {"label": label, "url": url}
            for label, url, _n, _o, _pk, kind in rows
            if kind == "social"
        ],
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
        **_links(group),
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
