"""The group's extension points: how the apps above react to the group (core/registry.py)."""

from collections.abc import Callable

from core.registry import Registry

member_removed: Registry[Callable[[object], None]] = Registry(
    """Called with the user, inside the transaction of groups.services.membership_remove
    and membership_ban (events: their upcoming RSVPs are released and waitlists move)."""
)

membership_annotations: Registry[Callable[[], dict]] = Registry(
    """Each returns {name: expression} for the membership admin's list (events: attendance
    counts, each a subquery on the user, computed for the rows shown only)."""
)
