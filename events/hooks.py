"""The event page's extension points (core/registry.py): what the apps above add to it.

conversation adds the event's comments and the flags that make a signed-in person's cached
version of the page their own (events.views.EventPageVersion): they wrote a comment there
(their edit and delete buttons), or they are muted (no comment form); decisions credits the
proposal the event came from; photos shows the first photos of the album on the recap of an
evening that has ended.
"""

from collections.abc import Callable

from core.registry import Registry

event_page_context: Registry[Callable] = Registry(
    """Each is called as build(request, event) and returns a dict for the page's context."""
)

event_page_version_flags: Registry[Callable] = Registry(
    """Each is called as build(user_id, group_id) and returns {name: boolean expression on
    the event row}; any flag set gives the person a cached version of the page of their own."""
)

event_changed: Registry[Callable] = Registry(
    """Each is called as react(event_id=…, before=…, change=…) inside the transaction of a
    change made through events.services.event_save, event_set_status or venue_save (a new
    place for its upcoming events), so what it queues commits or rolls back with the change.
    `before` is the status before the change (None for a new event); `change` is what
    visitors see of it (events.services.public_change): "published", "changed", "cancelled",
    or None. federation: Create, Update or Delete for the group's
    followers; api: the webhooks' deliveries."""
)
