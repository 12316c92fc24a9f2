"""Which version of an event page a signed-in person sees (the page cache's key)."""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core.db import CompiledQuery
from groups.access import Viewer
from groups.models import Membership

from .. import hooks
from ..models import (
    RSVP,
    Event,
    by_slug,
)


@dataclass(frozen=True)
class EventPageVersion:
    """Which version of an event page a signed-in person sees: everything the page shows
    that is not the same for every member (home/pagecache.py keys cached pages by it).

    Members with the same role and flags and no RSVP and no host duty see the same page; a
    person with an RSVP or named as a host gets a version of their own (person is set).
    """

    event_pk: int
    role: str | None
    is_staff: bool
    is_superuser: bool
    is_organizer: bool
    is_host: bool
    rsvp_pk: int | None
    person: int | None
    # The flags of events.hooks.event_page_version_flags (any set: a version of their own).
    flags: tuple = ()
    # The zone the person chose on /me/: times are shown in it too (events templatetags).
    time_zone: str = ""


def _version_query(now, *, slug: str, user_id: int, group_id: int):
    flags = {
        k: v
        for build in hooks.event_page_version_flags
        for k, v in build(user_id, group_id).items()
    }
    return (
        by_slug(Event.objects.rewrite(False).order_by(), slug)
        .annotate(
            my_rsvp=Subquery(
                RSVP.objects.filter(event=OuterRef("pk"), member_id=user_id).values("pk")[:1]
            ),
            is_host=Exists(
                Event.hosts.through.objects.filter(event=OuterRef("pk"), user_id=user_id)
            ),
            role=Subquery(
                Membership.objects.active()
                .filter(group_id=group_id, user_id=user_id)
                .values("role")[:1]
            ),
            may_change=Exists(
                Permission.objects.filter(
                    content_type__app_label="events", codename="change_event"
                ).filter(Q(user__id=user_id) | Q(group__user__id=user_id))
            ),
            **flags,
        )
        .values_list("pk", "my_rsvp", "is_host", "role", "may_change", *flags)[:1]
    )


# Asked on every signed-in visit of an event page: its SQL is built once per process.
_VERSION = CompiledQuery(
    _version_query,
    probes={"slug": "probe-slug-5c1d9", "user_id": -987_654_321, "group_id": -987_654_322},
)


def event_page_version(request, slug: str) -> EventPageVersion | None:
    """One query: the event with this person's RSVP, host duty, role and the permission that
    makes them an organizer (what groups.access.viewer and is_organizer() would read with
    three more); None when the page must be rendered. The page checks on a miss that its
    own lookups agree (EventDetailView), so a disagreement is never stored."""
    user = request.user
    group = getattr(request, "_potluck_group", None)
    if not user.is_authenticated or group is None:
        return None
    row = _VERSION.fetchone(timezone.now(), slug=slug.lower(), user_id=user.pk, group_id=group.pk)
    if row is None:
        return None
    event_pk, rsvp_pk, is_host, role, may_change, *flags = row
    # What ModelBackend.has_perm answers, read in the same query.
    organizer = user.is_active and (user.is_superuser or may_change)
    request._potluck_viewer = Viewer(user, role)  # groups.access.viewer() takes it from here
    version = EventPageVersion(
        event_pk=event_pk,
        role=role,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        is_organizer=organizer,
        is_host=is_host,
        rsvp_pk=rsvp_pk,
        person=user.pk if rsvp_pk is not None or is_host or any(flags) else None,
        flags=tuple(bool(flag) for flag in flags),
        time_zone=getattr(user, "time_zone", ""),
    )
    request._potluck_event_version = version
    return version
