"""What the emails a worker sends together share.

A batch is often one email to many members (an announcement to the whole group): what its
context builder reads from the database (the event) is read once per batch, not once per
email. Outside a batch (a preview, a test rendering one email) every call reads afresh.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_shared: ContextVar[dict | None] = ContextVar("email_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """The emails rendered inside share what once_per_batch() loads."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def once_per_batch(key: Hashable, load: Callable[[], Any]) -> Any:
    """load() once per batch for this key (every call outside a batch)."""
    shared = _shared.get()
    if shared is None:
        return load()
    if key not in shared:
        shared[key] = load()
    return shared[key]
