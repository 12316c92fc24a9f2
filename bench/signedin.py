"""Where a signed-in page's time goes, in one process: each page's time as a share of
hello-world's, measured interleaved, and a cProfile of the slowest ones.

speed.py measures shares through gunicorn with load clients that share the cores with the
workers, so on a busy machine its figures move by tens of percent; this script takes the
clients and the network away. One throwaway PostgreSQL database (BENCH_POSTGRES_URL as in
bench/README.md) seeded by speed.py's seed at 10 events; production settings (DEBUG off,
REDIS_URL not set: per-process caches); django.test.Client signed in as speed.py's member,
with the headers the TLS proxy passes on. Each round times ROUNDS x REQUESTS requests of
hello-world and of every page, alternating, and prints the median share; BENCH_PROFILE=1
adds the top functions of each page by cumulative time. Not held to a target (speed.py is).

Run: `uv run python bench/signedin.py` (about a minute, most of it `migrate`); name paths to
time only those (`bench/signedin.py /me/ /`).
"""

import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throwaway import admin_sql, database_url

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
REQUESTS = 30
HELLO = "/bench/hello/"
PAGES = ("/", "/me/", "/me/notifications/", "/me/calendar/", "/me/security/", "/me/data/")


def child(paths: list[str], media_root: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import speed
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    seeded = speed.seed(10, Path(media_root))
    client = Client(
        HTTP_HOST=speed.PUBLIC_HOST,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_ACCEPT_ENCODING=speed.ACCEPT_ENCODING,
        HTTP_X_FORWARDED_FOR="10.9.0.1",
    )
    client.cookies["sessionid"] = seeded["session"]
    paths = paths or [*PAGES, seeded["thread"], seeded["poll"], seeded["event"]]
    for path in [HELLO, *paths]:
        for _ in range(10):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")

    def timed(path: str) -> float:
        start = time.perf_counter()
        for _ in range(REQUESTS):
            client.get(path)
        return (time.perf_counter() - start) / REQUESTS

    shares = {path: [] for path in paths}
    times = {path: [] for path in paths}
    for _ in range(ROUNDS):
        for path in paths:
            hello = timed(HELLO)
            page = timed(path)
            hello = (hello + timed(HELLO)) / 2
            shares[path].append(hello / page)
            times[path].append(page * 1000)
    print(f"{'page':40} {'ms':>7} {'share of hello-world':>22}")
    for path in paths:
        print(
            f"{path:40} {statistics.median(times[path]):7.2f} "
            f"{statistics.median(shares[path]):21.0%}"
        )
    if os.environ.get("BENCH_PROFILE"):
        for path in paths:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(REQUESTS):
                client.get(path)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
            print(f"\n=== {path} ===\n" + out.getvalue())


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(json.loads(sys.argv[2]), sys.argv[3])
        return 0
    name = f"potluck_signedin_{secrets.token_hex(4)}"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as media:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "POTLUCK_")) and k != "REDIS_URL"
            }
            env.update(
                DATABASE_URL=database_url(name),
                DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
                DJANGO_ALLOWED_HOSTS="potluck.test",
                POTLUCK_SITE_URL="https://potluck.test",
                POTLUCK_TRUSTED_PROXY_COUNT="1",
                POTLUCK_MEDIA_ROOT=media,
                BENCH_STATIC_ROOT=str(Path(media) / "static"),
            )
            command = [sys.executable, __file__, "--child", json.dumps(sys.argv[1:]), media]
            return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
