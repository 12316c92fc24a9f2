"""The extension points of the infrastructure (see core/registry.py)."""

from collections.abc import Callable
from datetime import datetime

from .registry import Registry

periodic: Registry[Callable[[], str]] = Registry(
    """Work that `send_reminders` runs every few minutes (conversation: scheduled
    announcements and daily digests; decisions: polls opening and closing, reminders).
    Each job takes no argument and returns a line for the command's output."""
)

expiries: Registry[Callable[[datetime], dict[str, tuple[str, list]]]] = Registry(
    """Each is called as build(now) and returns {name: (sql, params)}, each a query of one
    row and one column, the next moment after now at which pages change by themselves (an
    event starts, ends, opens or closes RSVPs). The group middleware reads them as scalar
    subqueries of its one query; cached bodies are kept until the earliest
    (request.page_expires; core/generations.py)."""
)
