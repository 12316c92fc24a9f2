"""Hooks: how the apps above events add to the event page without events importing them.

conversation registers the event's comments: a function that adds them to the page's
context, and the flags that make a signed-in person's cached version of the page their own
(events.views.EventPageVersion): they wrote a comment there (their edit and delete
buttons), or they are muted (no comment form).
"""

from collections.abc import Callable

_context: list[Callable] = []
_flags: list[Callable] = []


def event_page_register(context: Callable, version_flags: Callable | None = None) -> None:
    """context(request, event) -> dict for the page; version_flags(user_id, group_id) ->
    {name: boolean expression on the event row}; registering twice adds them once."""
    if context not in _context:
        _context.append(context)
    if version_flags is not None and version_flags not in _flags:
        _flags.append(version_flags)


def event_page_context(request, event) -> dict:
    context: dict = {}
    for build in _context:
        context |= build(request, event)
    return context


def event_page_version_flags(user_id, group_id) -> dict:
    flags: dict = {}
    for build in _flags:
        flags |= build(user_id, group_id)
    return flags
