"""The extension points of the infrastructure (see core/registry.py)."""

from collections.abc import Callable

from .registry import Registry

periodic: Registry[Callable[[], str]] = Registry(
    """Work that `send_reminders` runs every few minutes (conversation: scheduled
    announcements and daily digests; decisions: polls opening and closing, reminders).
    Each job takes no argument and returns a line for the command's output."""
)
