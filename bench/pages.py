"""Page time versus data size: public pages should cost about the same with 10 or 10,000 events.

Each request is rendered (the cache of finished pages is emptied before it): the cost of the
first visit after a change. bench/speed.py measures pages as they are served.

Run with `make bench` or `DJANGO_DEBUG=1 uv run python bench/pages.py`; name pages to time only
those (`bench/pages.py /events/past/`). For each size it creates a throwaway PostgreSQL
database, migrates and fills it in a child process (DATABASE_URL must be set before
django.setup()), times anonymous requests through django.test.Client, and drops the database
again. Exits 1 when a page gets 2x slower or more at the large size.
"""

import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from throwaway import run_child

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 10_000)
WARMUP = 5
TIMED = 50
MAX_RATIO = 2.0
VENUES = 20
TARGET_SLUG = "bench-target-event"


def pages() -> list[str]:
    """The public pages whose cost must not follow the number of events (BENCH_PAGES, set from
    the command line, keeps only some of them)."""
    every = ["/", "/events/", "/events/past/", f"/events/{TARGET_SLUG}/"]
    # What other sites read (issue 28): the embed, the API's lists and an event.
    every += ["/embed/events/", "/api/events/", "/api/events/?when=past"]
    every += [f"/api/events/{TARGET_SLUG}/"]
    chosen = os.environ.get("BENCH_PAGES", "").split()
    return [path for path in every if not chosen or path in chosen]


# --- child: one database, one size -------------------------------------------------------------


def seed(n: int) -> None:
    """Fill the database like a group with a long history: half past, half upcoming."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.markdown import markdown_store
    from events.models import (
        AgendaItem,
        AgendaKind,
        Breakout,
        Event,
        EventSpeaker,
        EventStatus,
        Series,
        Speaker,
        SpeakerRole,
        Venue,
    )
    from groups.models import Group

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        group = Group.objects.create(
            name="Bench Cooperative Circle",
            slug="bench",
            tagline="A group with a long history",
            city="New York, NY",
            time_zone="America/New_York",
            about="We meet monthly.\n\n- to talk\n- to *eat*\n- to organise",
            step_up="Write to us to **host** an evening.",
        )
        group.save(update_fields=markdown_store(group))  # what the admin stores
        venues = Venue.objects.bulk_create(
            Venue(
                name=f"Venue {i:02d}",
                address=f"{100 + i} Example Street",
                city="New York, NY",
                latitude="40.718000",
                longitude="-73.998000",
                accessibility_notes="Step-free entrance; lift to every floor.",
                directions="Five minutes from the subway.",
            )
            for i in range(VENUES)
        )
        series = Series(
            group=group, name="Monthly guest conversation", slug="monthly-guest-conversation"
        )
        markdown_store(series)
        series.save()
        half = n // 2
        events = []
        for i in range(n):
            # Past events go back one day per event, upcoming ones forward one day per event.
            offset = -(i + 1) if i < half else i - half + 1
            starts = now + timedelta(days=offset, hours=1)
            events.append(
                Event(
                    group=group,
                    title=f"Bench event {i:05d}",
                    slug=f"bench-event-{i:05d}",
                    summary="A conversation about cooperatives and what they need.",
                    description="## About\n\nA guest opens, then we talk in *small groups*.",
                    status=EventStatus.CANCELLED if i % 97 == 3 else EventStatus.PUBLISHED,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    venue=venues[i % VENUES],
                    capacity=40,
                    series=series if i % 3 == 0 else None,
                )
            )
        # The target: the soonest upcoming event, so it is also the home page's "next event".
        target = events[half]
        target.slug = TARGET_SLUG
        target.status = EventStatus.PUBLISHED
        for event in events:
            markdown_store(event)  # rendered once, as event_save() does
        Event.objects.bulk_create(events, batch_size=2000)

        speakers = [
            Speaker(
                name=f"Guest {i}",
                slug=f"guest-{i}",
                affiliation="Worker Cooperative Initiative",
                bio="Researches **worker cooperatives** and the solidarity economy.",
            )
            for i in range(3)
        ]
        for speaker in speakers:
            markdown_store(speaker)
        speakers = Speaker.objects.bulk_create(speakers)
        EventSpeaker.objects.bulk_create(
            EventSpeaker(event=target, speaker=s, role=SpeakerRole.GUEST, order=i)
            for i, s in enumerate(speakers)
        )
        kinds = list(AgendaKind)
        AgendaItem.objects.bulk_create(
            AgendaItem(
                event=target,
                order=i,
                time=clock(18, 30 + i * 5),
                kind=kinds[i % len(kinds)],
                title=f"Program step {i}",
                description="What happens in this step.",
            )
            for i in range(6)
        )
        breakouts = [
            Breakout(
                event=target,
                order=i,
                topic=f"Breakout {i}",
                prompt="What do cooperatives need that they cannot get today?",
                facilitator_name=f"Facilitator {i}",
                notes="- one point\n- another point",
                notes_published=i % 2 == 0,
            )
            for i in range(4)
        ]
        for breakout in breakouts:
            markdown_store(breakout)
        Breakout.objects.bulk_create(breakouts)
    # What autovacuum would have done on a real site: fresh statistics and visibility map.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(path: str) -> dict:
    """Median of TIMED anonymous requests after WARMUP, plus the queries of one more request.

    The "bodies" cache is emptied before each one: this times rendering the page (what the
    first visitor after a change waits for), not serving it from the cache (bench/speed.py).
    """
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
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
        # CaptureQueriesContext rounds to whole milliseconds; this keeps microseconds.
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    caches["bodies"].clear()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        client.get(path)
    return {
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "queries": [{"sql": q["sql"], "ms": ms} for q, ms in zip(captured, timings, strict=True)],
    }


def explain(sql: str) -> str:
    """The plan PostgreSQL chose, with real row counts, for the report."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
    except Exception as exc:  # a query that does not survive the round trip to text
        return f"(no plan: {exc})"


def child(n: int, out: Path) -> None:
    """Runs inside one fresh database: migrate, seed, time every page, write JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # One client asks thousands of times: the API's per-address limit would answer 429.
    os.environ.setdefault("POTLUCK_API_RATE", "100000/m")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    seed(n)
    seeded = time.perf_counter()
    results = {}
    for path in pages():
        result = measure(path)
        slowest = max(result["queries"], key=lambda q: q["ms"], default=None)
        result["plan"] = explain(slowest["sql"]) if slowest else ""
        results[path] = result
    out.write_text(
        json.dumps(
            {
                "n": n,
                "migrate_s": migrated - start,
                "seed_s": seeded - migrated,
                "pages": results,
            }
        )
    )


# --- parent: databases, children and the report -----------------------------------------------


def run_size(n: int, workdir: Path) -> dict:
    """One size in its own database and process."""
    return run_child(__file__, n, workdir, prefix="potluck_bench")


def sql_summary(page: dict) -> str:
    """Query count and their total time in the one captured request, e.g. "8 q 1.3 ms"."""
    queries = page["queries"]
    return f"{len(queries)} q {sum(q['ms'] for q in queries):.1f} ms"


def report(small: dict, large: dict) -> list[str]:
    """Prints the table and returns the pages at or over the ratio limit."""
    ns, nl = small["n"], large["n"]
    for data in (small, large):
        print(
            f"N={data['n']}: migrate {data['migrate_s']:.1f}s, seed {data['seed_s']:.1f}s, "
            f"whole child {data['total_s']:.1f}s"
        )
    print()
    head = (
        f"{'page':<30} {f'N={ns} ms':>9} {f'N={nl} ms':>11} {'ratio':>6} "
        f"{f'SQL N={ns}':>15} {f'SQL N={nl}':>15}"
    )
    print(head)
    print("-" * len(head))
    slow = []
    for path in pages():
        a, b = small["pages"][path], large["pages"][path]
        ratio = b["median_ms"] / a["median_ms"]
        flag = "  <-- over" if ratio >= MAX_RATIO else ""
        print(
            f"{path:<30} {a['median_ms']:>9.2f} {b['median_ms']:>11.2f} {ratio:>6.2f} "
            f"{sql_summary(a):>15} {sql_summary(b):>15}{flag}"
        )
        if ratio >= MAX_RATIO:
            slow.append(path)
    print()
    for path in pages():
        queries = large["pages"][path]["queries"]
        total = sum(q["ms"] for q in queries)
        top = max(queries, key=lambda q: q["ms"], default=None)
        if top is None:
            continue
        print(f"{path} at N={nl}: SQL {total:.2f} ms in {len(queries)} queries; slowest:")
        sql = top["sql"] if path in slow else top["sql"][:200] + " …"
        print(f"  {top['ms']:.2f} ms  {sql}")
        if path in slow:
            print("  plan:")
            print("\n".join("    " + line for line in large["pages"][path]["plan"].splitlines()))
    return slow


def main() -> int:
    """Runs each size in its own process and database, then compares the medians."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), Path(sys.argv[3]))
        return 0
    chosen = sys.argv[1:]
    unknown = [path for path in chosen if path not in pages()]
    if unknown:
        sys.exit(f"usage: {sys.argv[0]} [PAGE ...], pages among {' '.join(pages())}")
    # The children read the choice from their environment.
    os.environ["BENCH_PAGES"] = " ".join(chosen)
    # A kill should still drop the databases: turn SIGTERM into an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="potluck-bench-") as workdir:
        small, large = (run_size(n, Path(workdir)) for n in SIZES)
    slow = report(small, large)
    print(f"\nwhole run {time.perf_counter() - start:.1f}s")
    if slow:
        print(f"FAIL: ratio >= {MAX_RATIO} for {', '.join(slow)}")
        return 1
    print(f"OK: every page under {MAX_RATIO}x from N={SIZES[0]} to N={SIZES[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
