"""Hooks: how the apps above groups react to a change of the group without groups importing them.

A higher app registers its function in its AppConfig.ready() (events registers
calendar_changed: every feed shows the group's name and time zone).
"""

from collections.abc import Callable

_group_changed: list[Callable[[], None]] = []


def group_changed_register(receiver: Callable[[], None]) -> None:
    """Adds a function to call after the group is edited; registering twice adds it once."""
    if receiver not in _group_changed:
        _group_changed.append(receiver)


def group_changed() -> None:
    """Called after an edit of the group (in the admin): the apps above refresh their caches."""
    for receiver in _group_changed:
        receiver()
