"""Uploads must not take the site down: an event page's time while members upload the worst
files the limits accept, against the same page on an idle server.

Run with `make bench` or `uv run python bench/uploads.py`. Starts Potluck as production runs it
(DEBUG off, gunicorn with WEB_CONCURRENCY workers from gunicorn.conf.py, the task worker
worker) on 127.0.0.4 with a throwaway PostgreSQL database and media folder; seeds an event with
three members going; times the event page alone; then three members each post, at once and
repeatedly, 10 of the worst accepted files (a 20 MB, 50-megapixel JPEG; a 16-megapixel PNG
bomb; a 4 MB noise WebP) while a fourth client loads the event page; then keeps loading it
while the task worker decodes what was uploaded (the requests only check headers and store the
bytes). Prints median and 95th percentile of the idle run, the upload run and the worker's run,
their ratios (target under 2x; exit 1 above, or if an upload is not answered 302 or a photo is
left unprocessed), how many photos the worker processed and how long it took to drain its
queue. Loopback only; every loop is bounded in count and time.
"""

import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from throwaway import admin_sql, database_url

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.4"
PORT = 8764
WORKERS = os.environ.get("BENCH_WEB_CONCURRENCY", "6")
IDLE_REQUESTS = 200
LOAD_MAX_REQUESTS = 2000
UPLOADERS = 3
UPLOAD_ROUNDS = 2  # × 10 files × 3 members = 60 files: the hourly cap of each member is 60
LOAD_MAX_SECONDS = 240
DRAIN_MAX_SECONDS = 600
MAX_RATIO = 2.0
FILES_PER_REQUEST = int(os.environ.get("BENCH_FILES_PER_REQUEST", "10"))


def seed(out: Path) -> None:
    """In the throwaway database: migrate, a group, an event, three members going."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from core.markdown import markdown_store
    from events import services as event_services
    from events.models import Event
    from groups.models import Group, Membership
    from members.models import User
    from photos import services as photo_services

    call_command("migrate", verbosity=0, interactive=False)
    group = Group.objects.create(name="Bench group", slug="bench", time_zone="America/New_York")
    start = timezone.now() + timedelta(days=3)
    event = Event(
        group=group,
        title="Bench event",
        slug="bench-event",
        status="published",
        summary="An event whose page is timed.",
        description="Some **Markdown**.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    markdown_store(event)  # rendered once, as event_save() does
    event.save()
    sessions = []
    for i in range(UPLOADERS):
        user = User.objects.create_user(email=f"m{i}@example.org", display_name=f"Member {i}")
        Membership.objects.create(group=group, user=user)
        event_services.rsvp_set(event=event, member=user, going=True)
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    album = photo_services.album_for_event(event=event, by=None)
    out.write_text(
        json.dumps({"album": album.pk, "sessions": sessions, "path": "/events/bench-event/"})
    )


def worst_files() -> list[tuple[str, bytes, str]]:
    sys.path.insert(0, str(ROOT))
    from tests.photos import samples

    jpeg, png = samples.worst_jpeg(), samples.png_bomb(4000, 4000)
    webp = samples.noise("WEBP", (2200, 2200), quality=90)
    kinds = [
        ("w.jpg", jpeg, "image/jpeg"),
        ("b.png", png, "image/png"),
        ("n.webp", webp, "image/webp"),
    ]
    return [kinds[i % 3] for i in range(FILES_PER_REQUEST)]


def multipart(files, token: str) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode()  # noqa: E501
    ]
    for name, data, kind in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        )
        parts += [head.encode(), data, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def get(path: str) -> float:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Host": HOST})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    return time.perf_counter() - started


def upload(album: int, session: str, body: bytes, kind: str, token: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
    started = time.perf_counter()
    connection.request(
        "POST",
        f"/photos/albums/{album}/upload/",
        body=body,
        headers={
            "Host": HOST,
            "Content-Type": kind,
            "X-CSRFToken": token,
            "Cookie": f"sessionid={session}; csrftoken={token}",
        },
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def photo_statuses(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT status, count(*) FROM photos_photo GROUP BY status").fetchall()
    return dict(rows)


def wait_until_up(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            get("/healthz")
            return
        except (OSError, RuntimeError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        seed(Path(sys.argv[2]))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    name = f"potluck_bench_uploads_{os.getpid()}"
    admin_sql(f'CREATE DATABASE "{name}"')
    processes = []
    try:
        with tempfile.TemporaryDirectory(prefix="potluck-bench-uploads-") as workdir:
            env = {
                **os.environ,
                "DATABASE_URL": database_url(name),
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": HOST,
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "POTLUCK_MEDIA_ROOT": f"{workdir}/media",
                "POTLUCK_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                "POTLUCK_BIND": f"{HOST}:{PORT}",
                "WEB_CONCURRENCY": WORKERS,
                "DJANGO_LOG_LEVEL": "WARNING",
            }
            env.pop("DJANGO_DEBUG", None)
            env.pop("REDIS_URL", None)
            seeded = Path(workdir) / "seed.json"
            subprocess.run(
                [sys.executable, __file__, "--seed", str(seeded)], env=env, check=True, cwd=ROOT
            )
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
                env=env,
                check=True,
                cwd=ROOT,
            )
            seed_data = json.loads(seeded.read_text())
            quiet = subprocess.DEVNULL
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.wsgi",
                        "--access-logfile",
                        "/dev/null",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=quiet,
                )
            )
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "worker"],
                    env=env,
                    cwd=ROOT,
                    stdout=quiet,
                    stderr=quiet,
                )
            )
            wait_until_up(time.monotonic() + 60)
            path = seed_data["path"]
            for _ in range(20):
                get(path)  # warm every worker
            idle = [get(path) for _ in range(IDLE_REQUESTS)]

            files = worst_files()
            token = secrets.token_hex(16)
            body, kind = multipart(files, token)
            print(f"upload request: {len(files)} files, {len(body) / 1e6:.0f} MB")
            results: list[tuple[int, float]] = []
            done = threading.Event()

            def uploader(session: str):
                for _ in range(UPLOAD_ROUNDS):
                    if done.is_set():
                        return
                    results.append(upload(seed_data["album"], session, body, kind, token))

            threads = [threading.Thread(target=uploader, args=(s,)) for s in seed_data["sessions"]]
            for thread in threads:
                thread.start()
            loaded = []
            deadline = time.monotonic() + LOAD_MAX_SECONDS
            while any(t.is_alive() for t in threads) and len(loaded) < LOAD_MAX_REQUESTS:
                if time.monotonic() > deadline:
                    done.set()
                    break
                loaded.append(get(path))
            for thread in threads:
                thread.join(timeout=LOAD_MAX_SECONDS)
            uploads_done = time.monotonic()
            # The worker decodes what the requests stored: the page is timed meanwhile too.
            draining = []
            deadline = uploads_done + DRAIN_MAX_SECONDS
            while photo_statuses(env["DATABASE_URL"]).get("processing", 0):
                if time.monotonic() > deadline:
                    break
                for _ in range(20):
                    draining.append(get(path))
            drained_s = time.monotonic() - uploads_done
            statuses_after = photo_statuses(env["DATABASE_URL"])
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    idle_median, idle_p95 = summary(idle)
    load_median, load_p95 = summary(loaded)
    statuses = sorted(status for status, _ in results)
    upload_times = sorted(seconds for _, seconds in results)
    median = statistics.median(upload_times)
    print(
        f"uploads: {len(results)} requests of {FILES_PER_REQUEST} files, statuses {statuses}, "
        f"median {median:.1f} s, max {upload_times[-1]:.1f} s"
    )
    print(
        f"event page idle:        median {idle_median:6.1f} ms  p95 {idle_p95:6.1f} ms  ({len(idle)} requests)"  # noqa: E501
    )
    print(
        f"event page under load:  median {load_median:6.1f} ms  p95 {load_p95:6.1f} ms  ({len(loaded)} requests)"  # noqa: E501
    )
    ratio_median, ratio_p95 = load_median / idle_median, load_p95 / idle_p95
    print(
        f"ratio under load / idle: median {ratio_median:.2f}x  p95 {ratio_p95:.2f}x  (target < {MAX_RATIO}x)"  # noqa: E501
    )
    ratios = [ratio_median, ratio_p95]
    if len(draining) >= 20:
        drain_median, drain_p95 = summary(draining)
        print(
            f"event page while the worker decodes: median {drain_median:6.1f} ms  p95 {drain_p95:6.1f} ms  ({len(draining)} requests)"  # noqa: E501
        )
        ratios += [drain_median / idle_median, drain_p95 / idle_p95]
        print(
            f"ratio worker / idle: median {ratios[2]:.2f}x  p95 {ratios[3]:.2f}x  (target < {MAX_RATIO}x)"  # noqa: E501
        )
    processed = sum(n for status, n in statuses_after.items() if status != "processing")
    print(
        f"worker: {processed} of {sum(statuses_after.values())} photos processed "
        f"({dict(sorted(statuses_after.items()))}), queue drained {drained_s:.1f} s "
        f"after the last upload answered"
    )
    accepted = len(statuses) * FILES_PER_REQUEST
    left = statuses_after.get("processing", 0)
    if (
        max(ratios) >= MAX_RATIO
        or statuses.count(302) != len(statuses)
        or left
        or (processed != accepted)
    ):
        print("FAIL")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
