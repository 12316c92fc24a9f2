"""What the database holds, for tests that check a request changed nothing."""

from django.db import connection


def table_rows(models) -> dict[str, list[tuple]]:
    """Every column of every row of each model's table, in primary-key order, read with plain
    SQL: the same rows as `.values()` (with every translated column too), at a fraction of
    the ORM's cost, which access tables that read them twice per request felt."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for model in models:
            table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {key}")  # noqa: S608 - our names
            rows[model.__name__] = cursor.fetchall()
    return rows
