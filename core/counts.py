"""Totals, counted once per change: COUNT(*) is the one cost of a list page that follows the
size of the table (an index makes it cheaper, never constant), and the total only moves when
the data does. Kept in the "bodies" cache under the request's page generation
(core/generations.py), so a change is counted afresh at the next request on every server.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import cached_property, partial

from django.core.cache import caches
from django.core.paginator import Paginator

from .generations import request_expires, request_generation, timeout_until, unexpired

TIMEOUT = 24 * 3600  # a bound on memory: keys change with the data, totals expire by the clock


def counted_once(
    generation: str | None,
    name: str,
    build: Callable[[], object],
    *,
    expires: datetime | None = None,
):
    """build()'s result, computed once per generation (at every call without one) and kept
    until expires, the next moment it may change by the clock alone."""
    if generation is None:
        return build()
    key = "count:" + hashlib.sha256(f"{generation}:{name}".encode()).hexdigest()[:40]
    bodies = caches["bodies"]
    kept = bodies.get(key)
    if kept is not None and unexpired(kept[0]):
        return kept[1]
    value = build()
    bodies.set(key, (expires, value), timeout=timeout_until(expires, TIMEOUT))
    return value


class CountedOncePaginator(Paginator):
    """A Paginator whose total is counted once per generation for the same query (its SQL
    and parameters are the key, so every filter and viewer has a total of its own)."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        generation: str | None = None,
        expires: datetime | None = None,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.generation = generation
        self.expires = expires
        self.name = name

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        if self.name is not None:
            name = self.name
        else:
            sql, params = query.sql_with_params()
            name = repr((query.model._meta.label, sql, params))
        count = partial(Paginator.count.func, self)
        return counted_once(self.generation, name, count, expires=self.expires)


def paginator(request, object_list, per_page: int, **kwargs) -> CountedOncePaginator:
    return CountedOncePaginator(
        object_list,
        per_page,
        generation=request_generation(request),
        expires=request_expires(request),
        **kwargs,
    )


class CountOncePerChangeMixin:
    """For ListViews: the total of the list is counted once per change.

    count_name: for a list that reads the clock (upcoming, past), whose SQL holds "now" and
    so differs at every request, the name its total is kept under instead. Right only for
    a list that is the same for every viewer and changes with the clock only at the moments
    request.page_expires covers (an event starting, ending, RSVPs opening or closing): the
    total is kept until then.
    """

    paginator_class = CountedOncePaginator
    count_name: str | None = None

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        return self.paginator_class(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            generation=request_generation(self.request),
            expires=request_expires(self.request),
            name=self.count_name,
            **kw,
        )
