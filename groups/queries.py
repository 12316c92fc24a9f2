"""Reads that the group's pages share."""

from .models import Group


def home_context(group: Group) -> dict:
    organizers = list(
        group.memberships.organizers().select_related("user").order_by("role", "joined_at", "pk")
    )
    return {
        "organizers": organizers,
        "resource_links": list(group.resource_links.all()),
        "social_links": list(group.social_links.all()),
        "counts": {
            "members": group.memberships.count(),
            "upcoming": 0,
            "past": 0,
            "photos": 0,
        },
    }
