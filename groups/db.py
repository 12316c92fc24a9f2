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
    database, and only the datetimes that depend on "now" change between runs.

    build(now) returns the QuerySet; every datetime parameter it produces must be `now`
    shifted by a constant (now, now - 14 days, …), which is checked when the SQL is made.
    """

    # Far from any real data, so no other parameter can be mistaken for it.
    PROBE = datetime(1999, 12, 31, 1, 2, 3, 456789, tzinfo=UTC)

    def __init__(self, build: Callable[[datetime], QuerySet]):
        self.build = build
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str):
        connection = connections[alias]
        queryset = self.build(self.PROBE)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # The backend's converters (SQLite's text datetimes, booleans): as the ORM applies them.
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        shifts = []
        for index, param in enumerate(params):
            moment = _as_datetime(param, connection)
            if moment is not None and abs(moment - self.PROBE) < timedelta(days=3660):
                shifts.append((index, moment - self.PROBE))
        # The same build at another moment must give the same SQL with shifted parameters.
        other = self.PROBE + timedelta(days=1)
        check_sql, check_params = self.build(other).query.get_compiler(using=alias).as_sql()
        expected = list(params)
        for index, shift in shifts:
            expected[index] = _adapt(other + shift, connection)
        if check_sql != sql or list(check_params) != expected:
            raise ValueError("CompiledQuery: parameters are not all shifted copies of now")
        return sql, list(params), shifts, compiler, converters

    def fetchone(self, now: datetime, *, using: str = DEFAULT_DB_ALIAS) -> tuple | None:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, shifts, compiler, converters = compiled
        connection = connections[using]
        params = list(params)
        for index, shift in shifts:
            params[index] = _adapt(now + shift, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None or not converters:
            return row
        return tuple(next(iter(compiler.apply_converters([row], converters))))


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
