"""The group's extension points: how the apps above react to the group (core/registry.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from core.registry import Registry

member_removed: Registry[Callable[[object], None]] = Registry(
    """Called with the user, inside the transaction of groups.services.membership_remove
    and membership_ban (events: their upcoming RSVPs are released and waitlists move)."""
)

membership_annotations: Registry[Callable[[], dict]] = Registry(
    """Each returns {name: expression} for the membership admin's list (events: attendance
    counts, each a subquery on the user, computed for the rows shown only)."""
)

# line(params) -> (what arrived, the path of the admin page to act on it), in the
# active language, or None when it is gone (its email is dropped, the digest leaves it out).
AlertLine = Callable[[dict], tuple[str, str] | None]


@dataclass(frozen=True)
class AlertKind:
    """One thing organizers are told of; `name` is also its email kind's, `templates` the
    prefix of its subject and body (which include groups/email/alert.txt)."""

    name: str
    label: str | Promise
    line: AlertLine
    templates: str


alert_kinds: Registry[AlertKind] = Registry(
    """What organizers are told of, each registered by the app it belongs to (groups: a
    request to join; photos: a takedown request; conversation: a report) from its
    AppConfig.ready(), with groups.alerts.alert_email_kind() registered beside it in core's
    email kinds. groups.alerts.organizers_alert() tells the group's organizers; the daily
    digest lists each alert by its kind's line."""
)
