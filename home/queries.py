"""The home page's reads: the group with its next events, recent photos and counts."""

from django.db.models.query import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from core.counts import counted_once
from core.db import subquery_count
from events.models import Event, guest_speakers_prefetch
from groups.access import Viewer
from groups.models import Group, Membership
from groups.queries import group_links
from groups.visibility import allowed
from photos.models import Photo

RECENT_PAST = 3
RECENT_PHOTOS = 6
UPCOMING = 4  # the next event, large, and three more as cards


def _count(queryset, group: Group, path: str = "group"):
    return subquery_count(queryset.filter(**{path: group}), path)


def group_counts(group: Group, now=None) -> dict:
    now = now or timezone.now()
    published = Event.objects.published()
    row = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            n_members=_count(Membership.objects.active(), group),
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


def _joining(group: Group, looking: Viewer) -> dict:
    """The join button's kind, a waiting request of the viewer's, and (for organizers) how
    many requests wait; visitors without a session need none of it (a cached page)."""
    if not looking.is_authenticated:
        return {"join_asks": False, "join_pending": False, "join_requests": 0}
    join_requests = 0
    if looking.is_organizer:
        join_requests = Membership.objects.pending().filter(group=group).count()
    join_pending = False
    join_asks = False
    if looking.role is None:
        join_pending = Membership.objects.pending().filter(group=group, user=looking.user).exists()
        join_asks = group.join_needs_approval or group.join_questions.exists()
    return {"join_asks": join_asks, "join_pending": join_pending, "join_requests": join_requests}


def home_context(group: Group, looking: Viewer, now=None, *, generation=None, expires=None) -> dict:
    """generation: the request's (core.generations.request_generation), under which the
    counts are kept, until expires (request_expires): counted once per change rather than
    on every page."""
    now = now or timezone.now()
    user = looking.user
    published = Event.objects.published().select_related("venue")
    next_events = list(published.upcoming(now)[:UPCOMING])
    recent_past = list(published.past(now)[:RECENT_PAST])
    prefetch_related_objects(next_events + recent_past, guest_speakers_prefetch())
    organizers = list(
        group.memberships.organizers().select_related("user").order_by("role", "joined_at", "pk")
    )
    for membership in organizers:
        # A face where the organizer's profile may be seen by this viewer; initials otherwise.
        person = membership.user
        membership.avatar_url = (
            reverse("members:avatar", args=[person.pk])
            if person.avatar and allowed(looking, "profile", owner=person)
            else ""
        )
    return {
        **_joining(group, looking),
        "next_event": next_events[0] if next_events else None,
        "more_upcoming": next_events[1:],
        "recent_past": recent_past,
        "organizers": organizers,
        **group_links(group),
        # The viewer's role was read once for the request (groups.access.viewer).
        "is_member": looking.role is not None,
        "recent_photos": list(
            Photo.objects.visible_to(user)
            .filter(album__group=group)
            .exclude(grid_jpeg="")
            .order_by("-uploaded_at", "-pk")[:RECENT_PHOTOS]
        ),
        "counts": counted_once(
            generation, "home-counts", lambda: group_counts(group, now), expires=expires
        ),
    }
