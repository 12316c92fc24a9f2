"""The decisions app's own extension point (core/registry.py): what a poll's close does
beyond logging it, so the polls module names neither elections nor settings polls."""

from collections.abc import Callable
from datetime import datetime

from core.registry import Registry

poll_closed: Registry[Callable[..., str]] = Registry(
    """Each is called as hook(poll, now=now) once, inside the transaction that notes the poll
    closed, and returns what the log's "closed" entry says the result was ("" when the poll is
    not theirs: the winning option is said then). decisions.services.governance.on_poll_closed
    is the one registered (DecisionsConfig.ready)."""
)


def on_poll_closed(poll, *, now: datetime) -> str:
    """Runs the hooks; the first non-empty result wins."""
    said = ""
    for hook in poll_closed:
        said = hook(poll, now=now) or said
    return said
