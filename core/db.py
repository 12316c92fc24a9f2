"""Query helpers the apps share."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def subquery_count(queryset: QuerySet, group_by: str) -> Coalesce:
    """COUNT(*) of a queryset as a scalar subquery (0 when empty), so that several counts, or
    one count per row of a page, cost no extra query. group_by is the field the queryset is
    filtered on (by an OuterRef or a value)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class CompiledQuery:
    """A query run on every request with the same shape: its SQL is compiled once per
    database, and only its parameters change between runs.

    build(now, **values) returns the QuerySet. Every datetime parameter it produces must be
    `now` shifted by a constant (now, now - 14 days, …); every other value that varies is
    named in `probes` with a value no real row has (an id of -987654321, an odd slug), and
    the parameters equal to it are that value's. Both are checked when the SQL is made, by
    building the query a second time with other probes and comparing.
    """

    # Far from any real data, so no other parameter can be mistaken for it.
    PROBE = datetime(1999, 12, 31, 1, 2, 3, 456789, tzinfo=UTC)

    def __init__(self, build: Callable[..., QuerySet], *, probes: dict | None = None):
        self.build = build
        self.probes = probes or {}
        self._compiled: dict[str, tuple] = {}

    def _sql(self, alias: str, now: datetime, values: dict):
        queryset = self.build(now, **values)
        if getattr(queryset, "_rewrite", False):
            # django-modeltranslation's querysets select values() columns in an order of their
            # own and put them back by name; the rows here are read by position.
            raise ValueError("CompiledQuery: a translated model's queryset needs .rewrite(False)")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        return compiler, sql, list(params)

    def _compile(self, alias: str):
        connection = connections[alias]
        compiler, sql, params = self._sql(alias, self.PROBE, self.probes)
        # The backend's converters (SQLite's text datetimes, booleans): as the ORM applies them.
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        slots: list[tuple[int, str | timedelta]] = []
        for index, param in enumerate(params):
            named = [name for name, probe in self.probes.items() if param == probe]
            moment = _as_datetime(param, connection)
            if named:
                slots.append((index, named[0]))
            elif moment is not None and abs(moment - self.PROBE) < timedelta(days=3660):
                slots.append((index, moment - self.PROBE))
        # Built again at another moment with other values: the same SQL, and parameters that
        # differ exactly in the slots found.
        other_now = self.PROBE + timedelta(days=1)
        others = {name: _other(probe) for name, probe in self.probes.items()}
        _compiler, check_sql, check_params = self._sql(alias, other_now, others)
        if check_sql != sql or check_params != _fill(params, slots, other_now, others, connection):
            raise ValueError("CompiledQuery: a parameter varies that is neither now nor a probe")
        return sql, params, slots, compiler, converters

    def fetchone(self, now: datetime, *, using: str = DEFAULT_DB_ALIAS, **values) -> tuple | None:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, slots, compiler, converters = compiled
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, _fill(params, slots, now, values, connection))
            row = cursor.fetchone()
        if row is None or not converters:
            return row
        return tuple(next(iter(compiler.apply_converters([row], converters))))


def _fill(params: list, slots, now: datetime, values: dict, connection) -> list:
    filled = list(params)
    for index, slot in slots:
        filled[index] = values[slot] if isinstance(slot, str) else _adapt(now + slot, connection)
    return filled


def _other(probe):
    """Another value of the probe's type, for the second build."""
    return probe - 1 if isinstance(probe, int) else f"{probe}-x"


def _adapt(moment: datetime, connection):
    """A datetime as the backend's compiler writes it into parameters."""
    return connection.ops.adapt_datetimefield_value(moment)


def _as_datetime(param, connection) -> datetime | None:
    if isinstance(param, datetime):
        return param if param.tzinfo else param.replace(tzinfo=UTC)
    if isinstance(param, str) and connection.vendor == "sqlite":
        try:
            parsed = datetime.fromisoformat(param)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
