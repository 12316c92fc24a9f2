"""The database half of a backup: dumping and restoring PostgreSQL or SQLite, and migrations."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


# Rows that are rebuilt on demand, or are short-lived secrets that must not outlive the
# machine in a copy: the cache; sessions (each one signs a person in, and holds allauth's
# half-finished sign-ins, emailed codes and two-factor steps); allauth's emailed
# confirmation keys. A restored site signs everyone out; nothing else is lost.
TABLES_WITHOUT_DATA = ["potluck_cache", "django_session", "account_emailconfirmation"]


# libpq reads these from the environment, so nothing secret is on a command line.
PG_ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "NAME": "PGDATABASE"}


PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    """Something an operator has to fix; the message says what."""


# --- The database ------------------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"backup supports PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, variable in PG_ENV.items():
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in PG_OPTION_ENV.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found. Install the PostgreSQL client tools (Debian: postgresql-client, "
            "the server's major version or newer)."
        )
    return path


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "postgresql":
        command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl"]
        command += [f"--exclude-table-data={table}" for table in TABLES_WITHOUT_DATA]
        _run([*command, f"--file={target}"], env=_pg_env())
        return
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # a consistent snapshot, even while others write
        for table in TABLES_WITHOUT_DATA:
            if copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone():
                copy.execute(f'DELETE FROM "{table}"')  # noqa: S608 - our own constant
        copy.commit()
    finally:
        copy.close()


def _restore_database(vendor: str, dump: Path, *, replace: bool) -> None:
    connection.close()
    if vendor == "postgresql":
        _restore_postgresql(dump, replace=replace)
    else:
        _restore_sqlite(dump)
    connection.close()


def _restore_postgresql(dump: Path, *, replace: bool) -> None:
    """pg_restore's script through psql in a single transaction: all of it, or nothing."""
    env = _pg_env()
    prelude = ["SET lock_timeout = '30s';"]  # a running Potluck holding locks: fail, not hang
    if replace:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            relations = connection.introspection.get_table_list(cursor)
        connection.close()
        views = [quote(r.name) for r in relations if r.type == "v"]
        tables = [quote(r.name) for r in relations if r.type != "v"]
        if views:
            prelude.append(f"DROP VIEW IF EXISTS {', '.join(views)} CASCADE;")
        if tables:
            prelude.append(f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE;")
    with tempfile.TemporaryDirectory(prefix="potluck-psql-") as work:
        prelude_file = Path(work) / "prelude.sql"
        prelude_file.write_text("\n".join(prelude) + "\n")
        restore_errors = Path(work) / "pg_restore.err"
        with restore_errors.open("w") as errors:
            script = subprocess.Popen(  # noqa: S603
                [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--file=-", str(dump)],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
            )
            psql = subprocess.run(  # noqa: S603
                [
                    _pg_tool("psql"),
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--file={prelude_file}",
                    "--file=-",
                ],
                stdin=script.stdout,
                capture_output=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                check=False,
            )
            script.stdout.close()
            script_status = script.wait()
        if psql.returncode != 0:
            raise BackupError(
                "Restoring the database failed and was rolled back; the database is as it "
                f"was.\n{psql.stderr.strip()}"
            )
        if script_status != 0:
            raise BackupError(f"pg_restore failed: {restore_errors.read_text().strip()}")


def _restore_sqlite(dump: Path) -> None:
    """SQLite's backup API replaces the whole database in one step."""
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        status = source.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            raise BackupError(f"The database copy in the archive is damaged: {status}")
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _disk_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    disk = _disk_migrations()
    return [
        f"{app}.{name}"
        for app, names in sorted(applied.items())
        for name in names
        if (app, name) not in disk
    ]


def _migrations_to_apply(applied: dict[str, list[str]]) -> list[tuple[str, str]]:
    done = {(app, name) for app, names in applied.items() for name in names}
    return sorted(_disk_migrations() - done)
