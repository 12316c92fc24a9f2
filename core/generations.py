"""Change counters: how every process knows, in one row read per request, that data changed.

One counter row per kind of change (core.models.ChangeGeneration). Caches key what they
build by the counters they depend on, so a change made by any process (another gunicorn
worker, another server, a management command) is seen at the next request, with Redis or
with per-process memory. The clock is the only other input: a cached body is stored with
the moment it stops being true by itself (an event starts, ends, opens or closes RSVPs),
see `expiry_register()`.

Who bumps the counters, and when:
- every save, delete and many-to-many change of a model of the project's own apps, through
  the receivers below (services, the admin, allauth, a shell, a restore alike): "pages",
  plus the counters the model is watched for (`watch()`: the feeds' "ical" and
  "ical:personal");
- `QuerySet.update()` and `bulk_create()` send no signal, so the apps call them through
  `update()` and `bulk_create()` here, which bump the same counters (the test suite fails a
  test that calls them directly on a watched model, tests/conftest.py).

A counter moves once the transaction that changed the data commits (at once outside one):
bumping inside the transaction would hold the counter's row lock while, say, seats are
counted. A reader that saw the old number either read the old data or the new: a body built
from the new data under the old number is only ever newer.

Inside an open transaction (a management command, a test) the counters have not moved yet,
so `pending_changes()` is part of every key: what the same transaction reads after its own
change is built afresh, never taken from before it. It is read from the one callback the
transaction's callbacks hold (a weak reference: once Django has run them at the commit, or
dropped them at a rollback, it is gone), with nothing but Django's public on_commit().
"""

import itertools
import threading
import weakref
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from .models import ChangeGeneration

PAGES_KEY = "pages"
# Tables no page shows: the counters themselves, the database cache, the email outbox, and
# those an app names with not_shown() (a change to them moves no counter).
_not_shown: set[str] = {"core.changegeneration", "core.cacheentry", "core.email"}

_serials = itertools.count(1)
_local = threading.local()
# model label (lower) -> {counter besides "pages": fields whose lone save does not move it}.
_watched: dict[str, dict[str, frozenset[str]]] = {}


class _PendingBumps:
    """The counters an open transaction will bump when it commits. Every change registers
    a callback holding it; the first to run bumps each counter once (one UPDATE per
    counter, however many rows changed), the others find nothing left to do."""

    def __init__(self):
        self.keys: set[str] = set()
        self.changes = 0
        self.serial = next(_serials)
        self.done = False

    def flush(self) -> None:
        if self.done:
            return
        self.done = True
        for key in sorted(self.keys):
            _bump(key)


def _bump(key: str) -> None:
    now = timezone.now()
    counter = ChangeGeneration.objects.filter(key=key)
    if not counter.update(value=F("value") + 1, changed_at=now):
        ChangeGeneration.objects.get_or_create(key=key, defaults={"value": 1, "changed_at": now})


def _pending() -> _PendingBumps | None:
    reference = getattr(_local, "pending", None)
    pending = None if reference is None else reference()
    return None if pending is None or pending.done else pending


def generation_bump(*keys: str) -> None:
    """Moves these counters on once the current transaction commits (at once outside one)."""
    if transaction.get_autocommit():
        for key in sorted(set(keys)):
            _bump(key)
        return
    pending = _pending()
    if pending is None:
        pending = _PendingBumps()
        _local.pending = weakref.ref(pending)
    pending.keys.update(keys)
    pending.changes += 1
    # Django holds the only strong references: once it has run the callbacks at the commit,
    # or dropped them at a rollback, the pending bumps are gone with them.
    transaction.on_commit(pending.flush)


def is_bump(callback) -> bool:
    """Whether an on_commit callback is one of these counter bumps (for tests that run a
    transaction's other callbacks by hand)."""
    return getattr(callback, "__func__", None) is _PendingBumps.flush


def pending_changes() -> str:
    """What the open transaction on this thread has changed and not committed: "" outside a
    transaction (how web requests run) or before its first change, else a mark that
    differs for every transaction and every change in it."""
    if transaction.get_autocommit():
        return ""
    pending = _pending()
    return "" if pending is None else f"{pending.serial}.{pending.changes}"


def data_changed() -> None:
    """Marks every cached page stale once the current transaction commits."""
    generation_bump(PAGES_KEY)


def watch(model: type[Model], key: str, *, except_fields: Iterable[str] = ()) -> None:
    """Changes to this model also move this counter (besides "pages"); a save of only
    except_fields does not (bookkeeping the counter's readers never show)."""
    label = model._meta.label_lower
    _watched[label] = {**_watched.get(label, {}), key: frozenset(except_fields)}


def not_shown(model: type[Model]) -> None:
    """From the owning app's AppConfig.ready(): no page or feed shows this model's rows."""
    _not_shown.add(model._meta.label_lower)


@cache
def _project_models() -> frozenset:
    """The models of the project's own apps, the folders beside manage.py (not packages in
    a virtualenv, which may live there too; not migrations' historical copies)."""
    return frozenset(
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in _not_shown
        and Path(model._meta.app_config.path).parent == Path(settings.BASE_DIR)
    )


def keys_for(model, update_fields=None) -> tuple[str, ...]:
    """The counters a change to this model moves (none for a model no page shows);
    update_fields: a save of only these."""
    if model not in _project_models() or model._meta.label_lower in _not_shown:
        return ()
    watched = _watched.get(model._meta.label_lower, {})
    saved = None if update_fields is None else frozenset(update_fields)
    extra = [key for key, ignored in watched.items() if saved is None or not saved <= ignored]
    return (PAGES_KEY, *extra)


def model_changed(model, update_fields=None) -> None:
    keys = keys_for(model, update_fields)
    if keys:
        generation_bump(*keys)


def row_changed_receiver(sender, update_fields=None, **kwargs) -> None:
    """post_save and post_delete of any model."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no page
    model_changed(sender, update_fields)


def m2m_changed_receiver(sender, action, **kwargs) -> None:
    """Hosts added to or removed from an event, and the like."""
    if action in ("post_add", "post_remove", "post_clear"):
        model_changed(sender)


def update(queryset: QuerySet, **values) -> int:
    """queryset.update(**values), moving the counters its model is read by."""
    count = queryset.update(**values)
    if count:
        model_changed(queryset.model)
    return count


def bulk_create(model: type[Model], rows: Iterable[Model], **options) -> list:
    """model.objects.bulk_create(rows), moving the counters the model is read by."""
    created = model.objects.bulk_create(rows, **options)
    if created:
        model_changed(model)
    return created


def request_generation(request) -> str | None:
    """What keys everything cached for this request's pages: the page counter the group
    middleware read, with this transaction's own uncommitted changes (none in a web
    request); None outside a request. What is cached under it is kept only until
    request_expires(request)."""
    generation = getattr(request, "page_generation", None)
    return None if generation is None else f"{generation}:{pending_changes()}"


def unexpired(expires: datetime | None) -> bool:
    """Whether something kept until expires (None: no such moment) is still true now."""
    return expires is None or timezone.now() < expires


def timeout_until(expires: datetime | None, longest: int) -> int:
    """The cache timeout, in seconds, of something true until expires (at most longest)."""
    if expires is None:
        return longest
    return max(1, min(longest, int((expires - timezone.now()).total_seconds()) + 1))


def request_keep_until(request, moment: datetime | None) -> None:
    """What this request's page shows is true only until moment (a poll closing, a mute
    ending): a cached copy of the page is kept no longer (None: no such moment)."""
    expires = getattr(request, "page_expires", None)
    if moment is not None and (expires is None or moment < expires):
        request.page_expires = moment


def request_expires(request) -> datetime | None:
    """The next moment the request's pages change by the clock alone (None: no such moment
    known, or outside a request)."""
    return getattr(request, "page_expires", None)
