"""Timing one page as the benches do: the median of signed-in requests, each rendered (the
"bodies" cache emptied first), with the queries of one more request and their plans."""

import re
import statistics
import time

WARMUP = 2
TIMED = 15


def measure(client, path: str, marker: re.Pattern) -> dict:
    """Median of TIMED signed-in requests after WARMUP, each rendered (the "bodies" cache
    emptied first), plus the queries of one more request and the rows it showed."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}, not 200")
    samples = []
    for _ in range(TIMED):
        caches["bodies"].clear()
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    timings = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    caches["bodies"].clear()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        response = client.get(path)
    return {
        "median_ms": statistics.median(samples),
        "rows": len(marker.findall(response.content.decode())),
        "queries": [{"sql": q["sql"], "ms": ms} for q, ms in zip(captured, timings, strict=True)],
    }


def explain(sql: str) -> str:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
    except Exception as exc:  # a query that does not survive the round trip to text
        return f"(no plan: {exc})"


def sql_summary(page: dict) -> str:
    queries = page["queries"]
    return f"{len(queries)} q {sum(q['ms'] for q in queries):.1f} ms"
