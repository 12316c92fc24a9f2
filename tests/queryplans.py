"""How an index is defined and what PostgreSQL plans for a page's query, for the tests that
check an index a page relies on exists and is used."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "query plans are PostgreSQL's (set DATABASE_URL to a PostgreSQL server, as "
            ".ci/run does)"
        )


def index_definition(name: str) -> str | None:
    """The index's CREATE INDEX statement as the database stores it (None when missing)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name]
            )
        row = cursor.fetchone()
    return row[0] if row else None


def analyze(*models, vacuum: bool = False) -> None:
    """Fresh statistics for the planner, as autovacuum would have them (rolled back with the
    test's transaction). vacuum=True also marks the pages all-visible, which index-only scans
    need; VACUUM cannot run in a transaction, so only a transaction=True test can ask for it."""
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'{command} "{model._meta.db_table}"')


def page_query(client, url: str, marker: str) -> str:
    """The one SQL statement of GET url that contains marker."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    matching = [query["sql"] for query in captured if marker in query["sql"]]
    assert len(matching) == 1, matching
    return matching[0]


def plan_nodes(sql: str) -> list[dict]:
    """Every node of the plan PostgreSQL chooses for sql (EXPLAIN, without running it)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        document = cursor.fetchone()[0]
    nodes, todo = [], [document[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def scans(nodes: list[dict]) -> set[tuple[str, str]]:
    """(node type, index name) of the plan's index scans."""
    return {(n["Node Type"], n["Index Name"]) for n in nodes if "Index Name" in n}


def node_types(nodes: list[dict]) -> set[str]:
    return {n["Node Type"] for n in nodes}
