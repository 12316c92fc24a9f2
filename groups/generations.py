"""The group and the page generation, read together in one query on every request."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Subquery
from django.utils import timezone

from core.db import CompiledQuery
from core.generations import PAGES_KEY
from core.models import ChangeGeneration

from .models import Group

# --- the group and the page generation, read together on every request ------------------
# Higher apps add the columns their pages depend on (events: the newest change and the next
# moment an event starts, ends, opens or closes RSVPs) from their AppConfig.ready().
_page_columns: list[Callable[[datetime], dict]] = []
COUNTERS = ("ical", "ical:personal", PAGES_KEY)


def page_columns_register(build: Callable[[datetime], dict]) -> None:
    """build(now) -> {name: expression}; each must be a scalar subquery or value."""
    if build not in _page_columns:
        _page_columns.append(build)


def _group_fields() -> list[str]:
    return [field.attname for field in Group._meta.concrete_fields]


def _current_query(now: datetime):
    columns = {
        f"generation_{i}": Subquery(ChangeGeneration.objects.filter(key=key).values("value"))
        for i, key in enumerate(COUNTERS)
    }
    for build in _page_columns:
        columns |= {f"generation_{name}": value for name, value in build(now).items()}
    fields = _group_fields()
    # Every column by its own name, as Group.from_db expects: not rewritten to the reader's
    # language by django-modeltranslation (the instance's fields do that when read).
    queryset = Group.objects.rewrite(False).order_by("pk").annotate(**columns)
    return queryset.values_list(*fields, *columns)[:1]


_CURRENT = CompiledQuery(_current_query)


def group_and_generation(now: datetime | None = None) -> tuple[Group | None, str]:
    """The site's group and the generation of everything public pages show, in one query
    whose SQL is built once per process."""
    row = _CURRENT.fetchone(now or timezone.now())
    if row is None:
        return None, "no-group"
    fields = _group_fields()
    group = Group.from_db(DEFAULT_DB_ALIAS, fields, row[: len(fields)])
    return group, hashlib.sha256(repr(row[len(fields) :]).encode()).hexdigest()[:20]
