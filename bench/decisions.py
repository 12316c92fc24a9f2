"""Decisions page time versus data size: 10 or 10,000 proposals, ballots and log entries.

Each request is rendered (the "bodies" cache emptied before it), signed in as a member.

Run with `make bench` or `DJANGO_DEBUG=1 uv run python bench/decisions.py`. It creates one
throwaway PostgreSQL database (bench/throwaway.py), migrates and fills it in a child process
with a group of 10,000 members, times the pages at the small size, grows every table to the
large size and times them again, then drops the database. Pages: the proposals list (by
support), one proposal, the polls list, two ranked-choice polls with the same ballots and
their rounds shown, and the transparency log. The open poll that shows its results while open
is counted on every view: the one page whose work grows with the data, by design, so that the
count shown is always that of the ballots stored. A closed poll is counted once and its count
kept (decisions.services.poll_results). Exits 1 when a page other than the open poll is
MAX_RATIO times slower or more at the large size; the open poll's ratio is printed with its
time per 1,000 ballots.
"""

import json
import os
import re
import signal
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from throwaway import run_child
from timing import explain, measure, sql_summary

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 10_000)
MAX_RATIO = 3.0
OPTIONS = ("Housing co-ops", "Data trusts", "Worker-owned apps", "Mutual aid tools", "Other")
ROW = {
    "proposals": re.compile(r'class="thread-row'),
    "proposal": re.compile(r"<h1>"),
    "polls": re.compile(r'class="thread-row'),
    "poll": re.compile(r"<tr>"),
    "log": re.compile(r'<li class="card">'),
}
COUNTED = "ranked poll, open"
CLOSED = "ranked poll, closed"


def seed_base(members: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from core.markdown import markdown_store
    from decisions.models import Option, Poll, Proposal
    from groups.models import Group, Membership, Role

    user_model = get_user_model()
    now = timezone.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        group = Group.objects.create(
            name="Bench Cooperative Circle",
            slug="bench",
            city="New York, NY",
            time_zone="America/New_York",
            about="We decide together.",
        )
        password = make_password(None)
        users = user_model.objects.bulk_create(
            (
                user_model(email=f"b{i}@example.org", display_name=f"Member {i}", password=password)
                for i in range(members)
            ),
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            (
                Membership(group=group, user=u, role=Role.ORGANIZER if i == 0 else Role.MEMBER)
                for i, u in enumerate(users)
            ),
            batch_size=2000,
        )
        proposal = Proposal(
            group=group,
            kind="topic",
            title="Timed proposal",
            author=users[2],
            body="Why we should talk about **data trusts**.",
            created_at=now,
        )
        markdown_store(proposal)
        proposal.save()
        polls = [
            Poll.objects.create(
                group=group,
                question="Which breakout themes next month?",
                method="ranked",
                opens_at=now - timedelta(days=10),
                closes_at=closes,
                created_by=users[0],
                results_while_open=True,
            )
            for closes in (now + timedelta(days=300), now - timedelta(days=1))
        ]
        Option.objects.bulk_create(
            Option(poll=poll, label=label, position=i)
            for poll in polls
            for i, label in enumerate(OPTIONS)
        )
    return {
        "group": group.pk,
        "proposal": proposal.pk,
        "polls": [p.pk for p in polls],
        "member": users[1].pk,
        "users": [u.pk for u in users],
    }


def grow(base: dict, n: int) -> None:
    """Adds rows until there are n proposals, n ballots in the timed poll, n polls and n log
    entries; every new row is older than the ones already there."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.generations import data_changed
    from decisions.models import BallotBox, Option, Poll, Proposal
    from groups.models import LogEntry, LogKind

    group, users = base["group"], base["users"]
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    options = {
        poll: list(Option.objects.filter(poll=poll).values_list("pk", flat=True))
        for poll in base["polls"]
    }
    kinds = list(LogKind.values)
    with transaction.atomic():
        have = Proposal.objects.filter(group=group).count()
        Proposal.objects.bulk_create(
            (
                Proposal(
                    group_id=group,
                    kind=("topic", "guest", "breakout")[i % 3],
                    title=f"Proposal {i:05d}",
                    author_id=users[i % len(users)],
                    support_count=i % 37,
                    created_at=start - timedelta(minutes=i),
                )
                for i in range(have, n)
            ),
            batch_size=2000,
        )
        for poll, keys in options.items():
            # The box alone is counted (the roll is not read to count).
            have = BallotBox.objects.filter(poll=poll).count()
            BallotBox.objects.bulk_create(
                (
                    BallotBox(
                        poll_id=poll,
                        # Rotating preferences, some ballots ranking only one or two options.
                        choices=[keys[(i + k) % len(keys)] for k in range(1 + i % 4)],
                        receipt_hash=f"bench-{poll}-{i}",
                    )
                    for i in range(have, n)
                ),
                batch_size=2000,
            )
        have = Poll.objects.filter(group=group).count()
        Poll.objects.bulk_create(
            (
                Poll(
                    group_id=group,
                    question=f"Poll {i:05d}?",
                    opens_at=start - timedelta(days=i + 2),
                    closes_at=start - timedelta(days=i),
                )
                for i in range(have, n)
            ),
            batch_size=2000,
        )
        have = LogEntry.objects.filter(group=group).count()
        LogEntry.objects.bulk_create(
            (
                LogEntry(
                    group_id=group,
                    kind=kinds[i % len(kinds)],
                    actor_id=users[0],
                    member_id=users[i % len(users)],
                    title=f"Thing {i}",
                    url="/events/",
                    detail="title,starts_at" if kinds[i % len(kinds)] == "event_changed" else "",
                    at=start - timedelta(minutes=i),
                )
                for i in range(have, n)
            ),
            batch_size=2000,
        )
        data_changed()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def pages(base: dict) -> dict:
    return {
        "proposals": ("/proposals/", "proposals"),
        "proposal": (f"/proposals/{base['proposal']}/", "proposal"),
        "polls": ("/polls/", "polls"),
        COUNTED: (f"/polls/{base['polls'][0]}/", "poll"),
        CLOSED: (f"/polls/{base['polls'][1]}/", "poll"),
        "transparency log": ("/log/", "log"),
    }


def child(out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    base = seed_base(SIZES[-1])
    client = Client()
    client.force_login(get_user_model().objects.get(pk=base["member"]))
    results = {}
    for n in SIZES:
        began = time.perf_counter()
        grow(base, n)
        seeded = time.perf_counter() - began
        timed = {}
        for name, (path, marker) in pages(base).items():
            result = measure(client, path, ROW[marker])
            slowest = max(result["queries"], key=lambda q: q["ms"], default=None)
            result["path"] = path
            result["plan"] = explain(slowest["sql"]) if slowest and n == SIZES[-1] else ""
            timed[name] = result
        results[n] = {"seed_s": seeded, "pages": timed}
    out.write_text(json.dumps({"migrate_s": migrated - start, "sizes": results}))


def report(data: dict) -> list[str]:
    small, large = (data["sizes"][str(n)] for n in SIZES)
    ns, nl = SIZES
    print(
        f"migrate {data['migrate_s']:.1f}s, seed N={ns} {small['seed_s']:.1f}s, "
        f"grow to N={nl} {large['seed_s']:.1f}s, whole child {data['total_s']:.1f}s"
    )
    print()
    head = (
        f"{'page (member)':<20} {f'N={ns} ms':>9} {f'N={nl} ms':>11} {'ratio':>6} "
        f"{f'SQL N={ns}':>14} {f'SQL N={nl}':>15}"
    )
    print(head)
    print("-" * len(head))
    slow = []
    for name in small["pages"]:
        a, b = small["pages"][name], large["pages"][name]
        ratio = b["median_ms"] / a["median_ms"]
        over = ratio >= MAX_RATIO and name != COUNTED
        print(
            f"{name:<20} {a['median_ms']:>9.2f} {b['median_ms']:>11.2f} {ratio:>6.2f} "
            f"{sql_summary(a):>14} {sql_summary(b):>15}{'  <-- over' if over else ''}"
        )
        if over:
            slow.append(name)
    a, b = small["pages"][COUNTED], large["pages"][COUNTED]
    per_thousand = (b["median_ms"] - a["median_ms"]) / ((nl - ns) / 1000)
    print(f"\n{COUNTED}: counting costs {per_thousand:.2f} ms per 1,000 ranked ballots")
    for name in large["pages"]:
        if name not in slow and os.environ.get("BENCH_PLANS") != "1":
            continue
        page = large["pages"][name]
        print(f"\n{name} at N={nl} ({page['path']}):")
        print("\n".join("    " + line for line in page["plan"].splitlines()))
    return slow


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[3]))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="potluck-bench-") as workdir:
        data = run_child(
            __file__, SIZES[-1], Path(workdir), prefix="potluck_bench_dec", drop_env=("REDIS_URL",)
        )
    slow = report(data)
    print(f"\nwhole run {time.perf_counter() - start:.1f}s")
    if slow:
        print(f"FAIL: ratio >= {MAX_RATIO:g} for {', '.join(slow)}")
        return 1
    print(
        f"OK: every page but the open poll under {MAX_RATIO:g}x "
        f"from N={SIZES[0]} to N={SIZES[-1]:,}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
