"""Which version of an event page a signed-in person sees (the page cache's key)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery

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
    is_host: bool
    rsvp_pk: int | None
    person: int | None
    # The flags of events.hooks.event_page_version_flags (any set: a version of their own).
    flags: tuple = ()
    # The zone the person chose on /me/: times are shown in it too (events templatetags).
    time_zone: str = ""
    # A request to join still waiting (a non-member then sees that, not "Ask to join").
    join_pending: bool = False


def _version_query(*, slug: str, user_id: int, group_id: int):
    flags = {
        k: v
        for build in hooks.event_page_version_flags
        for k, v in build(user_id, group_id).items()
    }
    return (
        by_slug(Event.objects.order_by(), slug)
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
            join_pending=Exists(
                Membership.objects.pending().filter(group_id=group_id, user_id=user_id)
            ),
            **flags,
        )
        .values_list("pk", "my_rsvp", "is_host", "role", "join_pending", *flags)[:1]
    )


def event_page_version(request, slug: str) -> EventPageVersion | None:
    """One query: the event with this person's RSVP, host duty and role (what
    groups.access.viewer would read with two more); None when the page must be rendered.
    The page takes the role from here (request.viewer) and skips looking for an RSVP the
    version found none of, so what is cached is what the version says."""
    user = request.user
    group = getattr(request, "group", None)
    if not user.is_authenticated or group is None:
        return None
    row = _version_query(slug=slug.lower(), user_id=user.pk, group_id=group.pk).first()
    if row is None:
        return None
    event_pk, rsvp_pk, is_host, role, join_pending, *flags = row
    viewer = Viewer(user, role, group)
    request.viewer = viewer
    version = EventPageVersion(
        event_pk=event_pk,
        role=role,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        is_host=is_host,
        rsvp_pk=rsvp_pk,
        person=user.pk if rsvp_pk is not None or is_host or any(flags) else None,
        flags=tuple(bool(flag) for flag in flags),
        time_zone=getattr(user, "time_zone", ""),
        join_pending=join_pending,
    )
    request.event_page_version = version
    return version
