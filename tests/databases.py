"""How the suite's PostgreSQL test databases are made and emptied (tests/conftest.py wires it).

- **One migration per run, not one per worker.** Under pytest-xdist each worker used to build
  its own test database by running every migration (about 25 s of CPU, Python and PostgreSQL,
  on a 2-core machine, three workers at once). The first worker now migrates one template,
  `test_<NAME>` (the name Django would give the test database), and every worker's database,
  `test_<NAME>_gw0`, … is `CREATE DATABASE … TEMPLATE` of it (a second), which Django then
  finds migrated (keepdb) and drops at the end. What the migrations wrote is in every copy.
- **Emptied by DELETE, not TRUNCATE.** A transactional test (a live server, threads, races)
  empties every table when it ends with Django's `flush`: on PostgreSQL one TRUNCATE of every
  table, 0.3 s on a quiet machine and over a second under load (each table gets new files), and
  an ACCESS EXCLUSIVE lock that deadlocked with a live server's request thread still reading.
  DELETE of the few rows a test leaves takes 0.02 s and waits for no reader. The foreign keys
  Django creates are DEFERRABLE INITIALLY DEFERRED, so the order of the tables does not matter
  inside flush's one transaction. Tables with a trigger of their own (the append-only
  transparency log) are still truncated, and only when the test left rows in them. All the
  statements go to the server as one (one round trip, not one per table): 20 empty
  transactional tests' flush SQL took 3.6 s before, 1.5 s after, on a loaded machine.

- **Content types and permissions kept.** After its flush Django sends post_migrate, whose
  handlers (contenttypes' and auth's, the only ones) make every content type and permission
  again, about 100 queries: 0.23 s of a transactional test's teardown on SQLite and 0.4 s on
  PostgreSQL, for tables that no test changes. The flush leaves those two tables as `migrate`
  filled them and sends nothing (`keep_reference_tables`), on both databases. It makes the
  "Organizers" permission group again instead, as the migrations made it.

SQLite (`make quick`, a bare machine) keeps Django's flush SQL otherwise: Django builds it in
memory and its flush is already DELETE.
"""

import fcntl
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _locked(path: Path):
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _maintenance(**options):
    """A connection to the server's maintenance database, as the test settings name the
    server (CREATE and DROP DATABASE cannot run in the database they name)."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        **options,
    )


def _admin(statement: str, *names: str) -> None:
    """One statement naming databases, on the maintenance database."""
    from psycopg import sql

    with _maintenance(autocommit=True) as admin:
        admin.execute(sql.SQL(statement).format(*map(sql.Identifier, names)))


def _exists(name: str) -> bool:
    with _maintenance() as admin:
        return bool(
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def _migrate(name: str) -> None:
    """Every migration into the empty database `name`, on the default connection, which is
    closed after so that the database can serve as a template."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def clone_from_template(*, worker_database: str, shared: Path, run: str) -> str:
    """Makes worker_database a copy of this run's migrated template, migrating the template
    first if this worker is the first to ask (`run`: pytest-xdist's id, the same in every
    worker of one run; `shared`: a folder every worker of the run sees). Returns the
    template's name."""
    template = f"test_{connection.settings_dict['NAME']}"
    done = shared / f"template-{run}.done"
    with _locked(shared / "template.lock"):
        if not done.exists() or not _exists(template):
            _admin("DROP DATABASE IF EXISTS {}", template)
            _admin("CREATE DATABASE {}", template)
            _migrate(template)
            done.touch()
        _admin("DROP DATABASE IF EXISTS {}", worker_database)
        _admin("CREATE DATABASE {} TEMPLATE {}", worker_database, template)
    return template


def drop_worker_database(*, worker_database: str, template: str, shared: Path) -> None:
    """At the end of the worker's run: its copy, and the template (a worker that has not made
    its copy yet makes the template again)."""
    connection.close()
    _admin("DROP DATABASE IF EXISTS {}", worker_database)
    with _locked(shared / "template.lock"):
        _admin("DROP DATABASE IF EXISTS {}", template)


def flush_by_delete():
    """Replaces PostgreSQL's flush SQL (TRUNCATE) with a DELETE per table for the run; returns
    a function that puts Django's back. A table with a trigger of its own (the transparency
    log refuses DELETE, groups/migrations/0015) is still truncated: TRUNCATE fires no row
    trigger."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        guarded = _tables_with_triggers(self.connection)
        statements = [
            # TRUNCATE makes the table's files again (slow, and it waits for every reader):
            # only when the test left rows in it.
            f"DO $$ BEGIN IF EXISTS (SELECT FROM {name}) THEN TRUNCATE {name} CASCADE; END IF;"
            " END $$;"
            for name in map(self.quote_name, sorted(guarded & set(tables)))
        ]
        statements += [
            f"DELETE FROM {self.quote_name(table)};"  # noqa: S608 - Django's table names
            for table in tables
            if table not in guarded
        ]
        # One round trip for all of them, not one per table.
        return ["\n".join(statements)]

    DatabaseOperations.sql_flush = sql_flush

    def restore() -> None:
        DatabaseOperations.sql_flush = truncate

    return restore


_TRIGGERS: dict[str, frozenset[str]] = {}


def _tables_with_triggers(connection) -> frozenset[str]:
    """The tables with a trigger the project made (not PostgreSQL's own for foreign keys), read
    once per database."""
    name = connection.settings_dict["NAME"]
    if name not in _TRIGGERS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
            )
            _TRIGGERS[name] = frozenset(row[0] for row in cursor.fetchall())
    return _TRIGGERS[name]


def keep_reference_tables():
    """Makes `flush` (a transactional test's teardown) leave the content types and permissions
    as `migrate` made them and send no post_migrate, whose handlers would only make the same
    rows again; returns a function that puts Django's flush back. The rows referring to them
    (a group's or a user's permissions, the admin's log) are still emptied."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.commands import flush

    kept = {ContentType._meta.db_table, Permission._meta.db_table}
    original = flush.sql_flush, flush.emit_post_migrate_signal

    def sql_flush(style, connection, reset_sequences=True, allow_cascade=False):
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        return connection.ops.sql_flush(
            style,
            [table for table in tables if table not in kept],
            reset_sequences=reset_sequences,
            allow_cascade=allow_cascade,
        )

    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        """Nothing for the handlers to make: every row they would make was kept. The
        "Organizers" permission group, which the migrations make, is made again here, once:
        emptied, it was made again inside each later test that asked for an organizer, and
        rolled back with it (its ~200 permissions each time)."""
        from groups.permissions import organizers_group

        organizers_group()

    flush.sql_flush, flush.emit_post_migrate_signal = sql_flush, emit_post_migrate_signal

    def restore() -> None:
        flush.sql_flush, flush.emit_post_migrate_signal = original

    return restore
