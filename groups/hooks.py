"""Hooks: how the apps above groups react to a change of the group without groups importing them.

A higher app registers its function in its AppConfig.ready() (events registers
calendar_changed: every feed shows the group's name and time zone; and what frees a removed
or banned member's seats).
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


_member_removed: list[Callable[[object], None]] = []


def member_removed_register(receiver: Callable[[object], None]) -> None:
    """Adds a function to call with the user an organizer removed or banned; once only."""
    if receiver not in _member_removed:
        _member_removed.append(receiver)


def member_removed(user) -> None:
    """Called inside the removal's transaction (groups.services.membership_remove and
    membership_ban): events cancels the person's upcoming RSVPs, so the waitlist moves."""
    for receiver in _member_removed:
        receiver(user)


_membership_annotations: list[Callable[[], dict]] = []


def membership_annotations_register(build: Callable[[], dict]) -> None:
    """Adds {name: expression} for the membership admin's list (events: attendance counts,
    each a subquery on the user, computed for the rows shown only)."""
    if build not in _membership_annotations:
        _membership_annotations.append(build)


def membership_annotations() -> dict:
    annotations: dict = {}
    for build in _membership_annotations:
        annotations |= build()
    return annotations


_periodic: list[Callable[[], str]] = []


def periodic_register(job: Callable[[], str]) -> None:
    """Adds work that `send_reminders` runs every few minutes (conversation: scheduled
    announcements and daily digests); the job returns a line for the command's output."""
    if job not in _periodic:
        _periodic.append(job)


def periodic() -> list[str]:
    return [job() for job in _periodic]
