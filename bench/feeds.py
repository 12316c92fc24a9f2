"""Feed time: the group's /calendar.ics with 1,000 events, built afresh, cached and as a 304.

Run with `make bench` or `DJANGO_DEBUG=1 uv run python bench/feeds.py`. It creates a throwaway
PostgreSQL database, migrates and fills it in a child process (DATABASE_URL must be set before
django.setup()) with one group and 1,000 published events in the feed window, times anonymous
requests through django.test.Client, and drops the database again. Exits 1 when building the
feed takes 100 ms or more (median, cache emptied before each request), or answering a
conditional request with 304 from a warm cache takes 5 ms or more. When the build misses its
target it also prints where the time went (cProfile). A 304 with the cache emptied, what a
subscriber's poll costs after any change, is shown without a target.
"""

import cProfile
import json
import os
import pstats
import signal
import statistics
import sys
import sysconfig
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from throwaway import run_child

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 1_000
# Outside the window (draft, or more than twelve months ago): present, never in the feed.
OUTSIDE = 200
WARMUP = 5
TIMED_UNCACHED = 30
TIMED = 50
# None: shown, not checked.
TARGETS_MS = {"uncached": 100.0, "cached": None, "conditional": 5.0, "conditional_cold": None}
VENUES = 20
SPEAKERS = 30
PROFILE_TOP = 15
FEED = "/calendar.ics"
# The server to create the throwaway database on; any existing database works for CREATE.


# --- child: one database -----------------------------------------------------------------------


def seed(n: int) -> None:
    """One group, n events in the feed window (half in the last year, half upcoming)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.markdown import markdown_to_text
    from events.models import Event, EventSpeaker, EventStatus, Series, Speaker, SpeakerRole, Venue
    from groups.models import Group

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        group = Group.objects.create(
            name="Bench Cooperative Circle",
            slug="bench",
            tagline="A group with a busy calendar",
            city="New York, NY",
            time_zone="America/New_York",
            about="We meet often.",
        )
        venues = Venue.objects.bulk_create(
            Venue(
                name=f"Venue {i:02d}",
                address=f"{100 + i} Example Street",
                city="New York, NY",
                latitude=f"{40.70 + i / 1000:.6f}",
                longitude=f"{-74.00 + i / 1000:.6f}",
                directions="Five minutes from the subway.",
            )
            for i in range(VENUES)
        )
        series = [
            Series.objects.create(group=group, name=name, slug=slug)
            for name, slug in (
                ("Monthly guest conversation", "monthly-guest-conversation"),
                ("Reading circle", "reading-circle"),
            )
        ]
        half = n // 2
        # Spread over just under a year each way: a 17-hour step keeps 500 events in 354 days.
        step = timedelta(hours=17)
        description = (
            "## About\n\nA guest opens, then we talk in *small groups*.\n\n"
            "- bring a question\n- bring a friend\n\n"
            "[Read more](https://example.org/coops)"
        )
        # As the event services do when they save a description.
        description_text = markdown_to_text(description)
        events = []
        for i in range(n):
            offset = -(i + 1) if i < half else i - half + 1
            starts = now + step * offset
            events.append(
                Event(
                    group=group,
                    title=f"Bench event {i:05d}",
                    slug=f"bench-event-{i:05d}",
                    summary="A conversation about cooperatives and what they need.",
                    description=description,
                    description_text=description_text,
                    status=EventStatus.PUBLISHED,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    venue=venues[i % VENUES],
                    capacity=40,
                    series=series[i % 2] if i % 3 == 0 else None,
                )
            )
        for i in range(OUTSIDE):
            # Drafts among the upcoming ones, the rest more than a year ago.
            starts = now + step * (i + 1) if i % 4 == 0 else now - timedelta(days=400 + i)
            events.append(
                Event(
                    group=group,
                    title=f"Outside {i:05d}",
                    slug=f"outside-{i:05d}",
                    status=EventStatus.DRAFT if i % 4 == 0 else EventStatus.PUBLISHED,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    venue=venues[i % VENUES],
                )
            )
        events = Event.objects.bulk_create(events, batch_size=2000)

        speakers = Speaker.objects.bulk_create(
            Speaker(
                name=f"Guest {i}",
                slug=f"guest-{i}",
                affiliation="Worker Cooperative Initiative" if i % 2 else "",
                bio="Researches **worker cooperatives** and the solidarity economy.",
            )
            for i in range(SPEAKERS)
        )
        # Every other event in the window has one to three guest speakers.
        EventSpeaker.objects.bulk_create(
            EventSpeaker(
                event=event,
                speaker=speakers[(i + k) % SPEAKERS],
                role=SpeakerRole.GUEST,
                order=k,
            )
            for i, event in enumerate(events[:n])
            if i % 2 == 0
            for k in range(1 + (i // 2) % 3)
        )
    # What autovacuum would have done on a real site: fresh statistics and visibility map.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed_queries(client, path: str, **headers) -> tuple[object, list[dict]]:
    """One request with every query and its time in ms (CaptureQueriesContext rounds to ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        response = client.get(path, headers=headers)
    queries = [{"sql": q["sql"], "ms": ms} for q, ms in zip(captured, timings, strict=True)]
    return response, queries


def measure(client, *, before=None, status: int, count: int, **headers) -> dict:
    """Median of count requests after WARMUP; before() runs ahead of each, outside the clock."""
    before = before or (lambda: None)
    path = FEED
    for _ in range(WARMUP):
        before()
        response = client.get(path, headers=headers)
        if response.status_code != status:
            raise SystemExit(f"GET {path} answered {response.status_code}, not {status}")
    samples = []
    for _ in range(count):
        before()
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == status, (path, headers, response.status_code)
    before()
    response, queries = timed_queries(client, path, **headers)
    assert response.status_code == status, (path, headers, response.status_code)
    return {
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "n": count,
        "queries": queries,
    }


def _where(filename: str, line: int, function: str) -> str:
    """file:line(function) relative to the project, site-packages or the standard library."""
    for prefix in (sysconfig.get_path("purelib"), sysconfig.get_path("stdlib"), str(ROOT)):
        filename = filename.removeprefix(prefix + "/")
    return f"{filename}:{line}({function})" if line else function


def _area(filename: str) -> str:
    """Where own time is spent: a package in site-packages, a project app, or C built-ins."""
    if filename == "~":
        return "C built-ins"
    for prefix in (sysconfig.get_path("purelib"), str(ROOT)):
        if filename.startswith(prefix + "/"):
            return filename.removeprefix(prefix + "/").split("/")[0].removesuffix(".py")
    return "stdlib"


def profile(client, before) -> dict:
    """One uncached request under cProfile: the top entries by cumulative time from the view's
    build() down (the client and middleware frames above it only wrap it), and own time by area.
    """
    before()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    response = client.get(FEED)
    profiler.disable()
    wall_ms = (time.perf_counter() - start) * 1000
    assert response.status_code == 200
    stats = pstats.Stats(profiler).stats
    rows = sorted(stats.items(), key=lambda item: item[1][3], reverse=True)
    builds = [ct for (f, _, fn), (_, _, _, ct, _) in rows if fn == "build" and "events" in f]
    ceiling = builds[0] if builds else float("inf")
    top = [
        {
            "calls": calls,
            "tottime_ms": tottime * 1000,
            "cumtime_ms": cumtime * 1000,
            "where": _where(*key),
        }
        for key, (_, calls, tottime, cumtime, _) in rows
        if cumtime <= ceiling
    ][:PROFILE_TOP]
    areas: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.items():
        areas[_area(filename)] = areas.get(_area(filename), 0) + tottime * 1000
    return {"wall_ms": wall_ms, "top": top, "areas": areas}


def child(n: int, out: Path) -> None:
    """Runs inside one fresh database: migrate, seed, time the feed four ways, write JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.test import Client
    from icalendar import Calendar

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    seed(n)
    seeded = time.perf_counter()

    cache = caches["bodies"]  # where the feeds keep their bodies (not the default cache)
    client = Client()
    results = {
        "uncached": measure(client, before=cache.clear, status=200, count=TIMED_UNCACHED),
        "cached": measure(client, status=200, count=TIMED),
    }
    response = client.get(FEED)
    etag = response["ETag"]
    results["conditional"] = measure(client, status=304, count=TIMED, if_none_match=etag)
    # What a subscriber's poll costs when the cache is empty (a restart, another server): the
    # ETag comes from the change generation, so no body is built or read for the 304.
    results["conditional_cold"] = measure(
        client, before=cache.clear, status=304, count=TIMED_UNCACHED, if_none_match=etag
    )
    # The body is the same whether built afresh or read from the cache.
    cache.clear()
    fresh = client.get(FEED)
    assert fresh.content == response.content and fresh["ETag"] == etag
    vevents = len(Calendar.from_ical(response.content).walk("VEVENT"))
    if vevents != n:
        raise SystemExit(f"{FEED} has {vevents} VEVENTs, not the {n} seeded in its window")
    out.write_text(
        json.dumps(
            {
                "n": n,
                "load": os.getloadavg(),
                "migrate_s": migrated - start,
                "seed_s": seeded - migrated,
                "body_bytes": len(response.content),
                "vevents": vevents,
                "results": results,
                "profile": profile(client, cache.clear),
            }
        )
    )


# --- parent: the database, the child and the report -------------------------------------------


def run(n: int, workdir: Path) -> dict:
    """The child in its own database. It never uses REDIS_URL: it empties its cache, which must
    not be a shared one."""
    return run_child(__file__, n, workdir, prefix="potluck_bench_feeds", drop_env=("REDIS_URL",))


def sql_summary(result: dict) -> str:
    """Query count and their total time in the one captured request, e.g. "3 q 12.1 ms"."""
    queries = result["queries"]
    return f"{len(queries)} q {sum(q['ms'] for q in queries):.1f} ms"


def report(data: dict) -> list[str]:
    """Prints the table and returns the measurements at or over their target."""
    print(
        f"N={data['n']}: migrate {data['migrate_s']:.1f}s, seed {data['seed_s']:.1f}s, "
        f"whole child {data['total_s']:.1f}s; load average {data['load'][0]:.2f} on "
        f"{os.cpu_count()} CPUs (others' work on the machine skews the medians)"
    )
    print(
        f"GET {FEED}: {data['vevents']} VEVENTs, body {data['body_bytes'] / 1024:.1f} KB "
        f"({data['body_bytes']:,} bytes)"
    )
    print()
    head = f"{'request':<34} {'median ms':>9} {'min':>7} {'max':>7} {'target':>8} {'SQL':>15}"
    print(head)
    print("-" * len(head))
    labels = {
        "uncached": f"uncached 200 (n={TIMED_UNCACHED})",
        "cached": f"cached 200 (n={TIMED})",
        "conditional": f"If-None-Match 304 (n={TIMED})",
        "conditional_cold": f"If-None-Match 304, cold (n={TIMED_UNCACHED})",
    }
    over = []
    for key, label in labels.items():
        result, target = data["results"][key], TARGETS_MS[key]
        missed = target is not None and result["median_ms"] >= target
        print(
            f"{label:<34} {result['median_ms']:>9.2f} {result['min_ms']:>7.2f} "
            f"{result['max_ms']:>7.2f} {f'< {target:g}' if target else '-':>8} "
            f"{sql_summary(result):>15}{'  <-- over' if missed else ''}"
        )
        if missed:
            over.append(key)
    print()
    for key in ("uncached", "conditional"):
        print(f"{labels[key]}: {len(data['results'][key]['queries'])} queries")
        for query in data["results"][key]["queries"]:
            sql = query["sql"] if len(query["sql"]) <= 150 else query["sql"][:150] + " …"
            print(f"  {query['ms']:7.2f} ms  {sql}")
    if "uncached" in over:
        prof = data["profile"]
        print(
            f"\nOne uncached request under cProfile ({prof['wall_ms']:.0f} ms with the profiler "
            f"on); top {PROFILE_TOP} by cumulative time from the view's build() down:"
        )
        print(f"  {'calls':>8} {'own ms':>9} {'cum ms':>9}  where")
        for row in prof["top"]:
            print(
                f"  {row['calls']:>8} {row['tottime_ms']:>9.1f} {row['cumtime_ms']:>9.1f}  "
                f"{row['where']}"
            )
        total = sum(prof["areas"].values())
        print("Own time by area:")
        for area, ms in sorted(prof["areas"].items(), key=lambda item: -item[1])[:8]:
            print(f"  {ms:>9.1f} ms {ms / total:>4.0%}  {area}")
    return over


def main() -> int:
    """Runs the child in its own process and database, then checks the medians."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), Path(sys.argv[3]))
        return 0
    # A kill should still drop the database: turn SIGTERM into an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="potluck-bench-") as workdir:
        data = run(EVENTS, Path(workdir))
    over = report(data)
    print(f"\nwhole run {time.perf_counter() - start:.1f}s")
    if over:
        print("FAIL: " + ", ".join(f"{k} median >= {TARGETS_MS[k]:g} ms" for k in over))
        return 1
    print(
        f"OK: {FEED} with {EVENTS:,} events built in under {TARGETS_MS['uncached']:g} ms, "
        f"304 in under {TARGETS_MS['conditional']:g} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
