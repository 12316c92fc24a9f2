"""The group, the page counter and the next moment pages change, read in one query per request."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.generations import PAGES_KEY
from core.hooks import expiries
from core.models import ChangeGeneration

from .models import Group


@dataclass(frozen=True)
class SiteState:
    """What the group middleware reads for every request."""

    group: Group | None
    generation: str  # the "pages" counter: any change to what pages show moves it
    expires: datetime | None  # the next moment pages change by the clock alone


def site_state(now: datetime | None = None) -> SiteState:
    """The site's group, the page counter and the earliest moment of core.hooks.expiries
    (the events app: the next start, end, RSVP opening or closing), in one query.

    The query is written as SQL from the models' table and column names: every request runs
    it, and built with the ORM (annotate() with a Subquery each) it spent 11.3 ms compiling
    for 0.26 ms in the database (SQLite, the demo group, a busy 2-core machine); this way the
    whole call takes 1.3 ms. tests/core/test_generations.py holds what it returns."""
    now = now or timezone.now()
    quote = connection.ops.quote_name
    counter = ChangeGeneration._meta
    value, key = quote(counter.get_field("value").column), quote(counter.pk.column)
    page_counter = f"SELECT {value} FROM {quote(counter.db_table)} WHERE {key} = %s"  # noqa: S608 - the models' own names
    columns = [f"({page_counter}) AS page_counter"]
    params: list = [PAGES_KEY]
    names = []
    for build in expiries:
        for name, (sql, values) in build(now).items():
            names.append(f"expires_{name}")
            columns.append(f"({sql}) AS {quote(names[-1])}")
            params.extend(values)
    table = quote(Group._meta.db_table)
    order = f"{table}.{quote(Group._meta.pk.column)}"
    query = f"SELECT {table}.*, {', '.join(columns)} FROM {table} ORDER BY {order} LIMIT 1"  # noqa: S608 - the models' own names
    group = next(iter(Group.objects.raw(query, params)), None)
    if group is None:
        return SiteState(None, "no-group", None)
    moments = [_moment(getattr(group, name)) for name in names]
    return SiteState(
        group,
        str(group.page_counter or 0),
        min((moment for moment in moments if moment is not None), default=None),
    )


def _moment(value) -> datetime | None:
    """A moment as the database hands it back in a raw query: PostgreSQL an aware datetime,
    SQLite the text Django stored (UTC, without the zone)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
