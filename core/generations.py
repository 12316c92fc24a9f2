"""Change generations: one counter row per kind of change, bumped after the change commits.

Bumping after the commit (not inside the transaction) holds no row lock while seats are
counted, and is still correct: a reader that saw the old number either read the old data
(its body is keyed by the old number, never served again) or the new data.
"""

from functools import cache, partial
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import ChangeGeneration


def _bump(key: str) -> None:
    if not ChangeGeneration.objects.filter(key=key).update(value=F("value") + 1):
        ChangeGeneration.objects.get_or_create(key=key, defaults={"value": 1})


def generation_bump(key: str) -> None:
    """Moves the generation on once the current transaction commits (at once outside one)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Read your own writes: until the commit, this transaction's readers must not take
        # a cached body keyed by the generation it has already changed (uncommitted_changes).
        outermost = id(connection.atomic_blocks[0])
        block, count = getattr(connection, "_potluck_uncommitted", (None, 0))
        connection._potluck_uncommitted = (outermost, count + 1 if block == outermost else 1)
        if _already_waiting(connection, key):
            return  # one bump per commit is enough
    transaction.on_commit(partial(_bump, key))


def _already_waiting(connection, key: str) -> bool:
    """A bump of this key already waits for the commit, in no savepoint that could still
    roll back without the current one (Django keeps each callback with its savepoints)."""
    active = set(connection.savepoint_ids)
    return any(
        getattr(func, "func", None) is _bump and func.args == (key,) and set(sids) <= active
        for sids, func, *_robust in connection.run_on_commit
    )


def uncommitted_changes() -> int:
    """How many generation bumps the open transaction on this connection still holds back.

    Zero outside a transaction, which is how web requests run; inside one that has changed
    data (a management command, a test), it is part of every cache key, so what the same
    transaction reads next is built afresh rather than taken from before its own change.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return 0
    block, count = getattr(connection, "_potluck_uncommitted", (None, 0))
    return count if block == id(connection.atomic_blocks[0]) else 0


# Public pages show nearly everything the project's own apps store (events, seats left,
# photos, organizers' names, the group), so any write to those tables moves the "pages"
# generation. The bump is the cache's coherence mechanism, not business logic: a receiver
# catches every writer at once (services, the admin, allauth, a shell, a restore), which
# explicit calls in each writer could not promise. QuerySet.update() and bulk_create() send
# no signal; code that changes what pages show that way calls data_changed() itself.
PAGES_KEY = "pages"
# Tables no page shows: the counters themselves, the database cache, the email outbox.
NOT_SHOWN = frozenset({"core.changegeneration", "core.cacheentry", "core.email"})


def data_changed() -> None:
    """Marks every cached page stale once the current transaction commits."""
    generation_bump(PAGES_KEY)


@cache
def _project_models() -> frozenset:
    """The models of the project's own apps, the folders beside manage.py (not packages in
    a virtualenv, which may live there too; not migrations' historical copies)."""
    return frozenset(
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in NOT_SHOWN
        and Path(model._meta.app_config.path).parent == Path(settings.BASE_DIR)
    )


def _is_project_model(sender) -> bool:
    return sender in _project_models()


def row_changed_receiver(sender, update_fields=None, **kwargs) -> None:
    """post_save and post_delete of any model of the project's own apps."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no page
    if _is_project_model(sender):
        data_changed()


def m2m_changed_receiver(sender, action, **kwargs) -> None:
    """Hosts added to or removed from an event, and the like."""
    if action in ("post_add", "post_remove", "post_clear") and _is_project_model(sender):
        data_changed()


def request_generation(request) -> str | None:
    """The generation the group's middleware read for this request, with this transaction's
    own uncommitted changes (none in a web request); None outside a request."""
    generation = getattr(request, "_potluck_generation", None)
    return None if generation is None else f"{generation}:{uncommitted_changes()}"
