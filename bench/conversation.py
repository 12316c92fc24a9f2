"""Conversation page time versus data size: 10 or 10,000 comments, replies, discussions.

Each request is rendered (the "bodies" cache, finished pages and counted totals, is emptied
before it): the cost of the first visit after a change, as bench/pages.py measures it.

Run with `make bench` or `DJANGO_DEBUG=1 uv run python bench/conversation.py`. It creates one
throwaway PostgreSQL database (bench/throwaway.py), migrates and fills it in a child process
with a group, its members, an upcoming event and a discussion board, times a signed-in
member's requests through django.test.Client at the small size, grows every table to the large
size and times them again, then drops the database. Pages: the event page with its comments
(every third comment with one reply, every third with two), the board, and one discussion's
first and last page of replies. Exits 1 when a page is MAX_RATIO times slower or more at the
large size (and then shows the plan of its slowest query; BENCH_PLANS=1 shows every page's).
A page of 20 comments, 25 discussions or 50 replies holds only 10 rows at the small
size, so part of the ratio is the fuller page ("rows" says how many were shown).
"""

import json
import os
import re
import signal
import sys
import tempfile
import time
from datetime import timedelta
from itertools import cycle
from pathlib import Path

from throwaway import run_child
from timing import explain, measure, sql_summary

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 10_000)
MAX_RATIO = 3.0
MEMBERS = 40
EVENT_SLUG = "bench-conversation"
BODIES = (
    "What should I *read* before the evening?",
    "Slides are [here](https://example.org/slides); my **notes** follow.\n\n- one\n- two",
    "Thanks for organising. Is the venue step-free?",
    "> quoted\n\nI agree, and the `code` is on the wiki.",
    "A longer thought: cooperatives need *patient* capital, shared tools and time. " * 3,
)
# What one shown row looks like in each page's HTML, to report how many rows were rendered.
ROW_MARKERS = {
    "event": re.compile(r'<article class="comment'),
    "board": re.compile(r'class="thread-row'),
    "thread": re.compile(r'id="reply-\d+"'),
}


# --- child: one database, both sizes ------------------------------------------------------------


class Stored:
    """Rows as the services store them: each distinct text's Markdown rendered and sanitized
    once (core.markdown.markdown_store), then reused, so seeding 40,000 rows stays quick."""

    def __init__(self):
        self.html = {}

    def __call__(self, model, **fields):
        from core.markdown import markdown_store

        row = model(**fields)
        if fields["body"] not in self.html:
            markdown_store(row)
            self.html[fields["body"]] = row.body_html
        row.body_html = self.html[fields["body"]]
        return row


def seed_base() -> dict:
    """The group, its members, an upcoming event, categories and the discussion timed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from conversation.models import Category, Thread
    from core.markdown import markdown_store
    from events.models import Event, EventStatus, Venue
    from groups.models import Group, Membership, Role

    user_model = get_user_model()
    now = timezone.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        group = Group.objects.create(
            name="Bench Cooperative Circle",
            slug="bench",
            tagline="A group that talks a lot",
            city="New York, NY",
            time_zone="America/New_York",
            about="We meet monthly and talk in between.",
        )
        group.save(update_fields=markdown_store(group))
        venue = Venue.objects.create(
            name="The Library", address="1 Example Street", city="New York, NY"
        )
        event = Event(
            group=group,
            title="Commons at the Library",
            slug=EVENT_SLUG,
            summary="A conversation about cooperatives and what they need.",
            description="## About\n\nA guest opens, then we talk in *small groups*.",
            status=EventStatus.PUBLISHED,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=2),
            venue=venue,
            capacity=40,
        )
        markdown_store(event)
        event.save()
        password = make_password(None)
        users = user_model.objects.bulk_create(
            user_model(email=f"bench{i}@example.org", display_name=f"Member {i}", password=password)
            for i in range(MEMBERS)
        )
        Membership.objects.bulk_create(
            Membership(group=group, user=user, role=Role.ORGANIZER if i == 0 else Role.MEMBER)
            for i, user in enumerate(users)
        )
        categories = Category.objects.bulk_create(
            Category(group=group, name=name, position=i)
            for i, name in enumerate(("Ideas", "Projects", "Help"))
        )
        thread = Stored()(
            Thread,
            group=group,
            author=users[2],
            category=categories[0],
            title="Where should we meet in the spring?",
            body=BODIES[1],
            created_at=now - timedelta(days=30),
            last_activity_at=now,
        )
        thread.save()
    return {
        "group": group.pk,
        "event": event.pk,
        "thread": thread.pk,
        "member": users[1].pk,
        "users": [u.pk for u in users],
        "categories": [c.pk for c in categories],
    }


def grow(base: dict, n: int) -> None:
    """Adds rows until the event has n comments, the group n discussions and the timed
    discussion n replies; every new row is older than the ones already there."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from conversation.models import Category, Comment, Reply, Thread
    from core.generations import data_changed
    from events.models import Event
    from groups.models import Group

    stored = Stored()
    users = list(get_user_model().objects.filter(pk__in=base["users"]).order_by("pk"))
    categories = [*Category.objects.filter(pk__in=base["categories"]).order_by("pk"), None]
    group = Group.objects.get(pk=base["group"])
    event = Event.objects.get(pk=base["event"])
    thread = Thread.objects.get(pk=base["thread"])
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    bodies = cycle(BODIES)
    with transaction.atomic():
        have = Comment.objects.filter(event=event, parent__isnull=True).count()
        tops = Comment.objects.bulk_create(
            (
                stored(
                    Comment,
                    event=event,
                    author=users[i % MEMBERS],
                    body=next(bodies),
                    created_at=start - timedelta(minutes=i),
                )
                for i in range(have, n)
            ),
            batch_size=2000,
        )
        Comment.objects.bulk_create(
            (
                stored(
                    Comment,
                    event=event,
                    parent=top,
                    author=users[(i + j + 3) % MEMBERS],
                    body=next(bodies),
                    created_at=top.created_at + timedelta(seconds=j + 1),
                )
                for i, top in enumerate(tops, start=have)
                for j in range(i % 3)
            ),
            batch_size=2000,
        )
        have = Thread.objects.filter(group=group).count()
        Thread.objects.bulk_create(
            (
                stored(
                    Thread,
                    group=group,
                    author=users[i % MEMBERS],
                    category=categories[i % len(categories)],
                    title=f"Discussion {i:05d}",
                    body=next(bodies),
                    created_at=start - timedelta(hours=i + 1),
                    last_activity_at=start - timedelta(hours=i),
                    reply_count=i % 17,
                )
                for i in range(have, n)
            ),
            batch_size=2000,
        )
        have = Reply.objects.filter(thread=thread).count()
        Reply.objects.bulk_create(
            (
                stored(
                    Reply,
                    thread=thread,
                    author=users[i % MEMBERS],
                    body=next(bodies),
                    created_at=start - timedelta(minutes=i),
                )
                for i in range(have, n)
            ),
            batch_size=2000,
        )
        Thread.objects.filter(pk=thread.pk).update(reply_count=n)
        data_changed()  # bulk writes send no signal
    # What autovacuum would have done on a real site: fresh statistics and visibility map.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def pages(base: dict, n: int) -> dict:
    """name -> (path, row marker) of the pages timed at size n."""
    from conversation.views import REPLIES_PER_PAGE

    thread = f"/discussions/{base['thread']}/"
    last = max(-(-n // REPLIES_PER_PAGE), 1)
    return {
        "event page": (f"/events/{EVENT_SLUG}/", "event"),
        "board": ("/discussions/", "board"),
        "thread, first page": (thread, "thread"),
        "thread, last page": (f"{thread}?page={last}", "thread"),
    }


def child(out: Path) -> None:
    """Inside the throwaway database: migrate, seed, time the small size, grow, time again."""
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
    base = seed_base()
    client = Client()
    client.force_login(get_user_model().objects.get(pk=base["member"]))
    results = {}
    for n in SIZES:
        began = time.perf_counter()
        grow(base, n)
        seeded = time.perf_counter() - began
        timed = {}
        for name, (path, marker) in pages(base, n).items():
            result = measure(client, path, ROW_MARKERS[marker])
            slowest = max(result["queries"], key=lambda q: q["ms"], default=None)
            result["path"] = path
            result["plan"] = explain(slowest["sql"]) if slowest and n == SIZES[-1] else ""
            timed[name] = result
        results[n] = {"seed_s": seeded, "pages": timed}
    out.write_text(json.dumps({"migrate_s": migrated - start, "sizes": results}))


# --- parent: the database, the child and the report --------------------------------------------


def report(data: dict) -> list[str]:
    """Prints the table and returns the pages at or over the ratio limit."""
    small, large = (data["sizes"][str(n)] for n in SIZES)
    ns, nl = SIZES
    print(
        f"migrate {data['migrate_s']:.1f}s, seed N={ns} {small['seed_s']:.1f}s, "
        f"grow to N={nl} {large['seed_s']:.1f}s, whole child {data['total_s']:.1f}s"
    )
    print()
    head = (
        f"{'page (member)':<20} {f'N={ns} ms':>9} {f'N={nl} ms':>11} {'ratio':>6} "
        f"{'rows':>7} {f'SQL N={ns}':>14} {f'SQL N={nl}':>15}"
    )
    print(head)
    print("-" * len(head))
    slow = []
    for name in small["pages"]:
        a, b = small["pages"][name], large["pages"][name]
        ratio = b["median_ms"] / a["median_ms"]
        flag = "  <-- over" if ratio >= MAX_RATIO else ""
        rows = f"{a['rows']}/{b['rows']}"
        print(
            f"{name:<20} {a['median_ms']:>9.2f} {b['median_ms']:>11.2f} {ratio:>6.2f} "
            f"{rows:>7} {sql_summary(a):>14} {sql_summary(b):>15}{flag}"
        )
        if ratio >= MAX_RATIO:
            slow.append(name)
    print()
    for name, page in large["pages"].items():
        top = max(page["queries"], key=lambda q: q["ms"], default=None)
        if top is None:
            continue
        print(f"{name} at N={nl} ({page['path']}): slowest query {top['ms']:.2f} ms")
        print(f"  {top['sql'] if name in slow else top['sql'][:160] + ' …'}")
        if name in slow or os.environ.get("BENCH_PLANS") == "1":
            print("\n".join("    " + line for line in page["plan"].splitlines()))
    return slow


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[3]))
        return 0
    # A kill should still drop the database: turn SIGTERM into an exception.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="potluck-bench-") as workdir:
        # The child empties its cache, which must not be a shared one: no REDIS_URL.
        data = run_child(
            __file__,
            SIZES[-1],
            Path(workdir),
            prefix="potluck_bench_conv",
            drop_env=("REDIS_URL",),
        )
    slow = report(data)
    print(f"\nwhole run {time.perf_counter() - start:.1f}s")
    if slow:
        print(f"FAIL: ratio >= {MAX_RATIO:g} for {', '.join(slow)}")
        return 1
    print(f"OK: every page under {MAX_RATIO:g}x from N={SIZES[0]} to N={SIZES[-1]:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
