"""A throwaway PostgreSQL database for one benchmark child process, dropped whatever happens.

DATABASE_URL has to be set before django.setup(), so each size runs its script again as a
child process (`script --child N out.json`) pointed at its own new database.
"""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

# The server to create the throwaway databases on; any existing database works for CREATE.
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def admin_sql(sql: str) -> None:
    """CREATE/DROP DATABASE, which cannot run inside a transaction."""
    import psycopg

    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(sql)


def database_url(name: str) -> str:
    """The same server and credentials, pointed at the throwaway database."""
    return SERVER_URL.rsplit("/", 1)[0] + "/" + name


def run_child(script: str, n: int, workdir: Path, *, prefix: str, drop_env=()) -> dict:
    """Runs `script --child n` in a new database and returns the JSON it wrote."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}_{n}"
    out = workdir / f"{n}.json"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": database_url(name), "DJANGO_DEBUG": "1"}
        env.setdefault("DJANGO_LOG_LEVEL", "WARNING")
        for variable in drop_env:
            env.pop(variable, None)
        start = time.perf_counter()
        subprocess.run([sys.executable, script, "--child", str(n), str(out)], env=env, check=True)
        data = json.loads(out.read_text())
        data["total_s"] = time.perf_counter() - start
        return data
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
