"""Pages against hello-world: how close each page comes to a view that returns "ok".

Run with `make bench` or `uv run python bench/speed.py` (about 3 minutes). Seeds two throwaway
PostgreSQL databases like a real group, one with 10 and one with 10,000 events (bench/pages.py's
events, plus members, RSVPs, albums with photos, a speaker, a series, a discussion with
THREAD_REPLIES replies the member follows and an open poll with POLL_BALLOTS ballots), and starts
Potluck on each as production runs it: DEBUG off (tests/production/stack.py's environment),
gunicorn with 2 sync workers and gunicorn.conf.py, REDIS_URL set (a Redis database of its own
for each size, flushed before and after), collectstatic into a temporary folder.
bench/settings.py adds /bench/hello/ (bench/urls.py) and changes nothing else.

Then, through HTTP as a TLS proxy would send it (Host potluck.test, X-Forwarded-Proto https,
Accept-Encoding "br, gzip", no keep-alive), against the 10,000-event site:
1. requests/s of hello-world and of each page: CONCURRENCY client processes, each one request
   at a time, for SECONDS; ROUNDS interleaved rounds, each starting one page later in the
   order; the median over the rounds, as a share of hello-world's (target: anonymous pages
   >= 50%, the member's event page >= 25%, the member's own pages, issue 26: home, the /me/
   sections, the discussion and the poll >= 40%; the feeds and the directory are shown
   without one);
2. each HTML page's body on the wire with br, with gzip, and with what a browser asks for
   (target 6 KB, 6,144 bytes);
and against both sites, one request at a time, the two sites interleaved:
3. time per request at 10,000 / at 10 for the listing pages, the album page, the directory and
   the feed's 304 (target <= 1.3x).
Exits 1 when a target is missed (or a page answers anything else than expected), after
printing everything. Loopback only (127.0.0.9); every loop is bounded in count and time.
"""

import contextlib
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from throwaway import admin_sql, database_url

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.9"
PUBLIC_HOST = "potluck.test"  # in tests/production/stack.py's DJANGO_ALLOWED_HOSTS
SIZES = (10, 10_000)
SMALL, LARGE = SIZES
WORKERS = 2
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WARMUP = 8  # requests per page and server before anything is timed
RATIO_ROUNDS = 5
RATIO_REQUESTS = 40  # per page, size and round (a 2 ms page needs many for a steady median)
ACCEPT_ENCODING = "br, gzip"
SHARE_ANONYMOUS = 0.50
DIRECTORY_PAGE = 30  # members.views.MEMBERS_PER_PAGE
SHARE_MEMBER = 0.25
MAX_BYTES = 6 * 1024
MAX_RATIO = 1.3
STARTUP_TIMEOUT = 60
REQUEST_TIMEOUT = 30
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379").rstrip("/")
REDIS_DB = {SMALL: 10, LARGE: 9}  # only these are flushed
FAILED = (OSError, http.client.HTTPException)  # a request that got no answer

# The seed (both sizes): ALBUM_PHOTOS photos in the album page's album, OTHER_ALBUMS more albums
# sharing N photos, GOING members going to the event (the signed-in member among them).
ALBUM_PHOTOS = 24
OTHER_ALBUMS = 10
GOING = 8
SPEAKER_SLUG = "guest-0"
SERIES_SLUG = "monthly-guest-conversation"
MEMBER_EMAIL = "bench-member@example.org"
THREAD_REPLIES = 12  # replies in the discussion timed, fewer than a page
POLL_BALLOTS = 12  # ballots in the open poll timed (the member has not voted)
ME_PAGES = ("/", "/me/", "/me/notifications/", "/me/calendar/", "/me/security/", "/me/data/")
SHARE_SIGNED_IN = 0.40  # issue 26: member home, /me/ sections, a discussion, a poll


# --- child: one database, one size ----------------------------------------------------------


def renditions(media_root: Path) -> dict[str, str]:
    """Small pre-made rendition files that every seeded photo row names (as the worker would
    have stored them); the pages only link to them."""
    from PIL import Image, ImageDraw

    folder = media_root / "photos" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for field_name, size, fmt, ext in (
        ("image", (1600, 1067), "JPEG", "jpg"),
        ("grid_webp", (400, 267), "WEBP", "webp"),
        ("grid_jpeg", (400, 267), "JPEG", "jpg"),
        ("large_webp", (1600, 1067), "WEBP", "webp"),
        ("large_jpeg", (1600, 1067), "JPEG", "jpg"),
    ):
        image = Image.new("RGB", size, (200, 120, 60))
        ImageDraw.Draw(image).rectangle((0, 0, size[0] // 3, size[1] // 2), fill=(20, 80, 160))
        image.save(folder / f"{field_name}.{ext}", fmt, quality=80)
        names[field_name] = f"photos/bench/{field_name}.{ext}"
    return names


def seed(n: int, media_root: Path) -> dict:
    """bench/pages.py's group and events, then members, RSVPs, albums, photos and a session."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from pages import TARGET_SLUG
    from pages import seed as seed_events

    from events.models import RSVP, Event, EventSpeaker, RSVPStatus, Speaker, SpeakerRole
    from groups.models import Group, Membership, Role
    from members.models import User
    from photos.models import Album, Photo, PhotoStatus, Visibility

    seed_events(n)
    files = renditions(media_root)
    group = Group.objects.get(slug="bench")
    with transaction.atomic():
        people = [
            User(email="bench-organizer@example.org", display_name="Olu Organizer"),
            User(email=MEMBER_EMAIL, display_name="Bench Member"),
        ]
        first = ("Ada", "Bea", "Cai", "Dev", "Eli", "Fen", "Gus", "Hana", "Ines", "Jo")
        last = ("Okafor", "Silva", "Nguyen", "Kowalski", "Haddad", "Moreau", "Ito", "Berg")
        people += [
            User(
                email=f"member{i:05d}@example.org",
                display_name=f"{first[i % len(first)]} {last[(i // 10) % len(last)]} {i}",
            )
            # At least a full directory page at the small size too: the ratio compares the
            # same number of names shown.
            for i in range(2, max(n, DIRECTORY_PAGE + 2))
        ]
        for person in people:
            person.password = "!bench"  # unusable, without hashing 10,000 passwords
        people = User.objects.bulk_create(people, batch_size=2000)
        organizer, member = people[0], people[1]
        Membership.objects.bulk_create(
            (
                Membership(group=group, user=person, role=Role.ORGANIZER if i == 0 else Role.MEMBER)
                for i, person in enumerate(people)
            ),
            batch_size=2000,
        )
        target = Event.objects.get(slug=TARGET_SLUG)
        RSVP.objects.bulk_create(
            RSVP(event=target, member=person, status=RSVPStatus.GOING)
            for person in people[1 : 1 + GOING]
        )
        # The speaker page: guest-0 opens the target and the five most recent past events.
        speaker = Speaker.objects.get(slug=SPEAKER_SLUG)
        recent = list(Event.objects.filter(slug__in=[f"bench-event-{i:05d}" for i in range(5)]))
        EventSpeaker.objects.bulk_create(
            EventSpeaker(event=event, speaker=speaker, role=SpeakerRole.GUEST, order=0)
            for event in recent
        )
        # Albums: the album page's (24 photos) on the latest past event; OTHER_ALBUMS more, four
        # on the next past events and the rest without an event, sharing n photos. The same
        # albums at both sizes, so /photos/ shows the same items; only the photo counts grow.
        by_slug = {event.slug: event for event in recent}
        events = [by_slug.get(f"bench-event-{i:05d}") for i in range(OTHER_ALBUMS + 1)]
        albums = Album.objects.bulk_create(
            Album(
                group=group,
                event=event,
                title=event.title if event else f"Picnic in the park {i}",
                description="Photos from the evening, by the people who went.",
                visibility=Visibility.PUBLIC,
                created_by=organizer,
            )
            for i, event in enumerate(events)
        )
        per_album = [ALBUM_PHOTOS] + [
            n // OTHER_ALBUMS + (1 if i < n % OTHER_ALBUMS else 0) for i in range(OTHER_ALBUMS)
        ]
        photos = Photo.objects.bulk_create(
            (
                Photo(
                    album=album,
                    uploaded_by=people[(a + p) % len(people)],
                    status=PhotoStatus.PUBLISHED,
                    width=1600,
                    height=1067,
                    grid_height=267,
                    large_width=1600,
                    large_height=1067,
                    caption=f"Evening {a}, photo {p}" if p % 3 == 0 else "",
                    alt_text=f"People talking around a long table, photo {p}",
                    **files,
                )
                for a, (album, count) in enumerate(zip(albums, per_album, strict=True))
                for p in range(count)
            ),
            batch_size=2000,
        )
        first_photo = {}
        for photo in photos:
            first_photo.setdefault(photo.album_id, photo)
        for album in albums:
            album.cover_photo = first_photo.get(album.pk)
        Album.objects.bulk_update(albums, ["cover_photo"])
        community = seed_community(group, people)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    session = SessionStore()
    session["_auth_user_id"] = str(member.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = member.get_session_auth_hash()
    session.create()
    return {
        "session": session.session_key,
        "event": target.get_absolute_url(),
        "album": albums[0].get_absolute_url(),
        "photos": len(photos),
        "members": len(people),
        "shown": shown_or_unknown(group),
        **community,
    }


def seed_community(group, people) -> dict[str, str]:
    """The signed-in pages' rows: a discussion with THREAD_REPLIES replies (a member follows
    it) and an open single-choice poll with POLL_BALLOTS ballots; their paths."""
    from datetime import timedelta

    from django.utils import timezone

    from conversation.models import Follow, Reply, Thread
    from core.markdown import markdown_store
    from decisions import secrecy
    from decisions.models import BallotBox, Eligible, Option, Poll, VoterRoll

    now = timezone.now().replace(second=0, microsecond=0)
    bodies = (
        "What should I *read* before the evening?",
        "Slides are [here](https://example.org/slides); my **notes** follow.\n\n- one\n- two",
        "Thanks for organising. Is the venue step-free?",
        "A longer thought: cooperatives need *patient* capital, shared tools and time. " * 3,
    )
    html = {}

    def stored(model, **fields):
        row = model(**fields)
        if row.body not in html:
            markdown_store(row)
            html[row.body] = row.body_html
        row.body_html = html[row.body]
        return row

    thread = stored(
        Thread,
        group=group,
        author=people[2],
        title="Where should we meet in the spring?",
        body=bodies[1],
        created_at=now - timedelta(days=3),
        last_activity_at=now - timedelta(hours=1),
        reply_count=THREAD_REPLIES,
    )
    thread.save()
    Reply.objects.bulk_create(
        stored(
            Reply,
            thread=thread,
            author=people[2 + i % 12],
            body=bodies[i % len(bodies)],
            created_at=now - timedelta(days=2, minutes=-10 * i),
        )
        for i in range(THREAD_REPLIES)
    )
    Follow.objects.create(thread=thread, member=people[1])
    poll = Poll.objects.create(
        group=group,
        question="Which evening suits you best in the spring?",
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=300),
        created_by=people[0],
    )
    options = Option.objects.bulk_create(
        Option(poll=poll, label=label, position=i)
        for i, label in enumerate(("Tuesday", "Wednesday", "Thursday", "Friday"))
    )
    # The roll fixed at opening: the member and the voters (decisions.services.rolls); the
    # voters on the roll of who voted, their ballots in the box, unlinked (decisions.secrecy).
    voters = people[2 : 2 + POLL_BALLOTS]
    Eligible.objects.bulk_create(
        Eligible(poll=poll, member=person, voter_key=secrecy.voter_key(person.email))
        for person in [people[1], *voters]
    )
    VoterRoll.objects.bulk_create(
        VoterRoll(
            poll=poll,
            member=person,
            voter_key=secrecy.voter_key(person.email),
            voted_on=poll.opens_at.date(),
        )
        for person in voters
    )
    BallotBox.objects.bulk_create(
        BallotBox(
            poll=poll,
            choices=[options[i % len(options)].pk],
            receipt_hash=secrecy.receipt_hash(poll.pk, f"bench receipt {i}"),
        )
        for i in range(len(voters))
    )
    Poll.objects.filter(pk=poll.pk).update(eligible_count=len(voters) + 1)
    return {"thread": thread.get_absolute_url(), "poll": poll.get_absolute_url()}


def shown(group) -> dict[str, str]:
    """How many items each compared page shows at this size (its page size or fewer)."""
    from django.utils import timezone

    from events import views as event_views
    from events.calendar_views import in_feed_window
    from events.models import Event
    from home import queries as home_queries
    from members import views as member_views
    from photos import views as photo_views
    from photos.models import Album, Photo

    page = getattr(event_views, "PAGE_SIZE", 20)
    published = Event.objects.published()
    upcoming, past = published.upcoming().count(), published.past().count()
    photos = Photo.objects.published().count()
    albums = Album.objects.count()
    members = group.memberships.count()
    home = (
        min(upcoming, getattr(home_queries, "UPCOMING", 4))
        + min(past, getattr(home_queries, "RECENT_PAST", 3)),
        min(photos, getattr(home_queries, "RECENT_PHOTOS", 6)),
    )
    return {
        "/events/": f"{min(upcoming, page)} of {upcoming} events",
        "/events/past/": f"{min(past, page)} of {past} events",
        "/": f"{home[0]} events, {home[1]} photos",
        "/photos/": f"{min(albums, getattr(photo_views, 'ALBUMS_PER_PAGE', 24))} albums, "
        f"{photos} photos",
        "album": f"{min(ALBUM_PHOTOS, getattr(photo_views, 'PHOTOS_PER_PAGE', 60))} photos",
        "/members/": f"{min(members, getattr(member_views, 'MEMBERS_PER_PAGE', 30))} of "
        f"{members} members",
        "feed": f"feed of {in_feed_window(timezone.now()).count()} events",
        "hello": "ok",
    }


def shown_or_unknown(group) -> dict[str, str]:
    """shown(), or nothing when the app's code it reads is in the middle of a change."""
    try:
        return shown(group)
    except Exception as error:
        print(f"(what each page shows is unknown: {error!r})", file=sys.stderr)
        return {}


def child(n: int, media_root: Path, out: Path) -> None:
    """In the throwaway database named by DATABASE_URL: seed one size, write what the parent
    needs to know (paths, the member's session, what each page shows) as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    start = time.perf_counter()
    data = seed(n, media_root)
    data.update(n=n, seed_s=time.perf_counter() - start)
    out.write_text(json.dumps(data))


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class Server:
    n: int
    port: int
    popen: subprocess.Popen
    log: Path
    seed: dict


@dataclass
class Target:
    """One URL as one kind of visitor asks for it."""

    label: str
    path: str
    member: bool = False
    expect: int = 200
    share: float | None = SHARE_ANONYMOUS  # target share of hello-world, None: shown only
    html: bool = True
    ratio_key: str | None = None  # compared across sizes, with what it shows (seed "shown")


def base_headers(client_ip: str) -> dict[str, str]:
    """What the TLS proxy in front passes on from a browser (tests/production/client.py)."""
    return {
        "Host": PUBLIC_HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": client_ip,
        "User-Agent": "potluck-bench-speed",
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Encoding": ACCEPT_ENCODING,
        "Connection": "close",
    }


def fetch(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """One GET on a fresh connection; the response with its body read into .body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def load_worker(pipe, port: int, client_ip: str) -> None:
    """A client process: for each job, requests one after another until the job's end; sends
    back how many answered (with the expected status) within the window, and the others."""
    while True:
        job = pipe.recv()
        if job is None:
            return
        path, headers, expect, start_at, stop_at = job
        headers = {**headers, "X-Forwarded-For": client_ip}  # one visitor per client
        while time.monotonic() < start_at:
            time.sleep(0.001)
        done, wrong = 0, {}
        while time.monotonic() < stop_at:
            try:
                response = fetch(port, path, headers)
                status = response.status
            except FAILED as error:
                status = type(error).__name__
            if time.monotonic() > stop_at:
                break  # finished after the window: not counted
            if status == expect:
                done += 1
            else:
                wrong[str(status)] = wrong.get(str(status), 0) + 1
        pipe.send((done, wrong))


class LoadClients:
    """CONCURRENCY client processes that stay up for the whole run."""

    def __init__(self, port: int):
        context = multiprocessing.get_context("fork")
        self.pipes, self.processes = [], []
        for i in range(CONCURRENCY):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=load_worker, args=(theirs, port, f"10.9.0.{i + 1}"), daemon=True
            )
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def run(self, target: Target, headers: dict[str, str]) -> tuple[float, dict]:
        """Requests/s of one URL over SECONDS, with any unexpected answers counted."""
        start_at = time.monotonic() + 0.05
        job = (target.path, headers, target.expect, start_at, start_at + SECONDS)
        for pipe in self.pipes:
            pipe.send(job)
        total, wrong = 0, {}
        for pipe in self.pipes:
            if not pipe.poll(SECONDS + REQUEST_TIMEOUT + 5):
                raise RuntimeError("a load client did not answer")
            done, bad = pipe.recv()
            total += done
            for status, count in bad.items():
                wrong[status] = wrong.get(status, 0) + count
        return total / SECONDS, wrong

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for process in self.processes:
            process.join(timeout=REQUEST_TIMEOUT + 5)
            if process.is_alive():
                process.kill()


# --- parent: databases, servers, measurements and the report --------------------------------


def run(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_all(processes: dict[str, tuple[subprocess.Popen, Path]], timeout: float) -> None:
    """Waits for every named process; raises with the tail of its log if one fails."""
    deadline = time.monotonic() + timeout
    for name, (process, log) in processes.items():
        try:
            code = process.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            code = "timeout"
        if code != 0:
            for other, _log in processes.values():
                stop(other)
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{name} failed ({code}):\n{tail}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's own session (gunicorn and its workers), SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def flush_redis(n: int) -> None:
    import redis

    client = redis.Redis.from_url(f"{REDIS_SERVER}/{REDIS_DB[n]}")
    try:
        client.flushdb()
    finally:
        client.close()


def production_environment(name: str, n: int, workdir: Path, secret_key: str) -> dict:
    """tests/production/stack.py's environment, with bench/settings.py for the hello view."""
    sys.path.insert(0, str(ROOT))
    from tests.production.stack import production_env

    env = production_env(
        database_url=database_url(name),
        redis_url=f"{REDIS_SERVER}/{REDIS_DB[n]}",
        media_root=workdir / f"media-{n}",
        secret_key=secret_key,
    )
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", BENCH_STATIC_ROOT=str(workdir / "static"))
    return env


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.popen.poll() is not None:
            raise RuntimeError(
                f"gunicorn N={server.n} exited:\n{server.log.read_text(errors='replace')[-3000:]}"
            )
        try:
            if fetch(server.port, "/healthz", base_headers("10.9.0.100")).status == 200:
                return
        except FAILED:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn N={server.n} did not answer /healthz in {STARTUP_TIMEOUT}s")


def targets(seed: dict) -> list[Target]:
    """Every URL measured, hello-world first; paths are the same at both sizes."""
    event, album = seed["event"], seed["album"]
    return [
        Target("hello-world", "/bench/hello/", share=None, html=False, ratio_key="hello"),
        Target("/", "/", ratio_key="/"),
        Target("/events/", "/events/", ratio_key="/events/"),
        Target("/events/past/", "/events/past/", ratio_key="/events/past/"),
        Target("event page", event),
        Target("speaker page", f"/speakers/{SPEAKER_SLUG}/"),
        Target("series page", f"/series/{SERIES_SLUG}/"),
        Target("/photos/", "/photos/", ratio_key="/photos/"),
        Target(f"album ({ALBUM_PHOTOS} photos)", album, ratio_key="album"),
        # Feeds: shown for comparison; issue 14's share targets are the HTML pages'.
        Target("/calendar.ics 200", "/calendar.ics", html=False, share=None),
        Target(
            "/calendar.ics 304",
            "/calendar.ics",
            expect=304,
            html=False,
            ratio_key="feed",
            share=None,
        ),
        Target("member: event page", event, member=True, share=SHARE_MEMBER),
        Target("member: /members/", "/members/", member=True, share=None, ratio_key="/members/"),
        # Issue 26: the signed-in pages a member comes back to.
        *(Target(f"member: {path}", path, member=True, share=SHARE_SIGNED_IN) for path in ME_PAGES),
        Target("member: discussion", seed["thread"], member=True, share=SHARE_SIGNED_IN),
        Target("member: poll", seed["poll"], member=True, share=SHARE_SIGNED_IN),
    ]


def prepare(server: Server, pages: list[Target]) -> dict[str, dict[str, str]]:
    """Headers per target for this server: the member's cookies (session, and the CSRF cookie
    a browser would have kept from its first page), the feed's ETag for If-None-Match."""
    cookies = {"sessionid": server.seed["session"]}
    first = fetch(
        server.port,
        server.seed["event"],
        {**base_headers("10.9.0.100"), "Cookie": f"sessionid={cookies['sessionid']}"},
    )
    for header in first.headers.get_all("Set-Cookie") or []:
        jar = SimpleCookie()
        jar.load(header)
        cookies.update({name: morsel.value for name, morsel in jar.items() if morsel.value})
    feed = fetch(server.port, "/calendar.ics", base_headers("10.9.0.100"))
    headers = {}
    for target in pages:
        sent = base_headers("10.9.0.100")
        if target.member:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if target.expect == 304:
            sent["If-None-Match"] = feed.headers.get("ETag", '"none"')
        headers[target.label] = sent
    return headers


def check(server: Server, pages: list[Target], headers: dict) -> dict[str, str]:
    """Warms every URL on every worker; returns the ones that answer something unexpected."""
    wrong = {}
    for target in pages:
        for _ in range(WARMUP):
            try:
                response = fetch(server.port, target.path, headers[target.label])
            except FAILED as error:
                wrong[target.label] = type(error).__name__
                break
            if response.status != target.expect:
                location = response.headers.get("Location", "")
                wrong[target.label] = f"{response.status} {location}".strip()
                break
    return wrong


def throughput(clients: LoadClients, pages: list[Target], headers: dict) -> dict:
    """Requests/s per target in ROUNDS rounds, each round's order rotated by one."""
    rates = {t.label: [] for t in pages}
    wrong = {t.label: {} for t in pages}
    for r in range(ROUNDS):
        order = pages[r % len(pages) :] + pages[: r % len(pages)]
        for target in order:
            rate, bad = clients.run(target, headers[target.label])
            rates[target.label].append(rate)
            for status, count in bad.items():
                wrong[target.label][status] = wrong[target.label].get(status, 0) + count
    return {"rates": rates, "wrong": wrong}


def sizes(server: Server, pages: list[Target], headers: dict) -> dict:
    """Body bytes on the wire (and the coding used) for br only, gzip only and the browser's
    "br, gzip"."""
    found = {}
    for target in pages:
        if not target.html:
            continue
        row = {}
        for name, accept in (("br", "br"), ("gzip", "gzip"), ("browser", ACCEPT_ENCODING)):
            response = fetch(
                server.port, target.path, {**headers[target.label], "Accept-Encoding": accept}
            )
            row[name] = (
                len(response.body),
                response.headers.get("Content-Encoding", "identity"),
                response.status,
            )
        found[target.label] = row
    feed = fetch(server.port, "/calendar.ics", {**headers["/calendar.ics 200"]})
    found["feed"] = (len(feed.body), feed.headers.get("Content-Encoding", "identity"))
    return found


def latencies(servers: dict[int, Server], pages: list[Target], headers: dict) -> dict:
    """Time per request, one at a time, the two sizes interleaved in every round."""
    samples = {(t.label, n): [] for t in pages if t.ratio_key for n in servers}
    compared = [t for t in pages if t.ratio_key]
    for r in range(RATIO_ROUNDS):
        for target in compared:
            for n in SIZES if r % 2 == 0 else SIZES[::-1]:
                server = servers[n]
                for _ in range(RATIO_REQUESTS):
                    started = time.perf_counter()
                    try:
                        status = fetch(server.port, target.path, headers[n][target.label]).status
                    except FAILED:
                        continue
                    elapsed = time.perf_counter() - started
                    if status == target.expect:
                        samples[(target.label, n)].append(elapsed * 1000)
    return samples


def report(pages, seeds, result, wrong_at_start) -> list[str]:
    """Prints the three tables; returns what missed its target."""
    missed = []
    for n in SIZES:
        seed = seeds[n]
        print(
            f"N={n}: {n} events, {seed['members']} members, {seed['photos']} photos; "
            f"seeded in {seed['seed_s']:.1f}s"
        )
    paths = {
        t.label: t.path
        for t in pages
        if t.label.split()[0] in ("event", "speaker", "series", "album")
    }
    print("; ".join(f"{label} = {path}" for label, path in paths.items()))
    print(
        f"\nrequests/s at N={LARGE} through gunicorn ({WORKERS} sync workers, DEBUG off, "
        f"Redis): {CONCURRENCY} clients, {SECONDS:g}s per page, median of {ROUNDS} "
        f"interleaved rounds"
    )
    rates, wrong = result["throughput"]["rates"], result["throughput"]["wrong"]
    hello = statistics.median(rates["hello-world"]) if rates["hello-world"] else 0
    head = f"{'page':<24} {'req/s':>7} {'min-max':>11} {'share':>6} {'target':>7}  verdict"
    print(head)
    print("-" * len(head))
    for target in pages:
        values = rates[target.label]
        median = statistics.median(values) if values else 0
        share = median / hello if hello else 0
        goal = f">={target.share:.0%}" if target.share else "-"
        problems = dict(wrong[target.label])
        if target.label in wrong_at_start:
            problems["at start"] = wrong_at_start[target.label]
        if target.label == "hello-world":
            verdict = "(the limit)"
        elif target.share is None:
            verdict = "(shown only)"
        else:
            verdict = "PASS" if share >= target.share else "MISS"
        if problems:
            verdict = f"MISS answered {problems}"
        if verdict.startswith("MISS"):
            missed.append(f"{target.label} req/s")
        spread = f"{min(values):.0f}-{max(values):.0f}" if values else "-"
        share_text = f"{share:.0%}" if target.label != "hello-world" else "100%"
        print(
            f"{target.label:<24} {median:>7.0f} {spread:>11} {share_text:>6} {goal:>7}  {verdict}"
        )

    print(
        f"\nHTML body on the wire at N={LARGE} (bytes, coding), target {MAX_BYTES:,} bytes "
        f"for what a browser gets (Accept-Encoding: {ACCEPT_ENCODING})"
    )
    head = f"{'page':<24} {'br only':>16} {'gzip only':>16} {'browser gets':>18}  verdict"
    print(head)
    print("-" * len(head))
    feed_bytes, feed_coding = result["sizes"].pop("feed")
    for label, row in result["sizes"].items():
        cells = [f"{size:,} {coding}" for size, coding, _status in row.values()]
        size, _coding, status = row["browser"]
        verdict = "PASS" if size <= MAX_BYTES and status == 200 else "MISS"
        if status != 200:
            verdict += f" (answered {status})"
        if verdict.startswith("MISS"):
            missed.append(f"{label} bytes")
        print(f"{label:<24} {cells[0]:>16} {cells[1]:>16} {cells[2]:>18}  {verdict}")
    print(
        f"(not HTML, no target: /calendar.ics {feed_bytes:,} bytes {feed_coding}, "
        f"{seeds[LARGE]['shown'].get('feed', 'feed of ? events')})"
    )

    print(
        f"\ntime per request, N={LARGE} / N={SMALL}, through gunicorn as above, one request at "
        f"a time (median of {RATIO_ROUNDS}x{RATIO_REQUESTS} per size, sizes interleaved)"
    )
    head = (
        f"{'page':<24} {f'N={SMALL} ms':>9} {f'N={LARGE} ms':>11} {'ratio':>6} {'target':>7}  "
        f"{'verdict':<7}  shown at N={SMALL} / N={LARGE}"
    )
    print(head)
    print("-" * len(head))
    for target in pages:
        if not target.ratio_key:
            continue
        small = result["latency"][(target.label, SMALL)]
        large = result["latency"][(target.label, LARGE)]
        shown = " / ".join(seeds[n]["shown"].get(target.ratio_key, "?") for n in SIZES)
        if not small or not large:
            missed.append(f"{target.label} ratio")  # every answer was unexpected
            print(
                f"{target.label:<24} {'-':>9} {'-':>11} {'-':>6} {f'<={MAX_RATIO}x':>7}  "
                f"MISS (no answer as expected)  {shown}"
            )
            continue
        a, b = statistics.median(small), statistics.median(large)
        ratio = b / a
        control = target.label == "hello-world"
        verdict = "control" if control else "PASS" if ratio <= MAX_RATIO else "MISS"
        if verdict == "MISS":
            missed.append(f"{target.label} ratio")
        goal = "-" if control else f"<={MAX_RATIO}x"
        print(
            f"{target.label:<24} {a:>9.2f} {b:>11.2f} {ratio:>5.2f}x {goal:>7}  "
            f"{verdict:<7}  {shown}"
        )
    return missed


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return 0
    # A kill should still stop the servers and drop the databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    prefix = f"potluck_bench_speed_{os.getpid()}_{secrets.token_hex(3)}"
    names = {n: f"{prefix}_{n}" for n in SIZES}
    template = f"{prefix}_template"
    secret_key = secrets.token_urlsafe(50)
    servers: dict[int, Server] = {}
    clients = None
    created = []
    try:
        with tempfile.TemporaryDirectory(prefix="potluck-bench-speed-") as tmp:
            workdir = Path(tmp)
            for n in SIZES:
                flush_redis(n)
            envs = {n: production_environment(names[n], n, workdir, secret_key) for n in SIZES}
            # Migrate once into a template, collect static files meanwhile, then copy.
            admin_sql(f'CREATE DATABASE "{template}"')
            created.append(template)
            development = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
            migrate_env = {**envs[LARGE], "DATABASE_URL": database_url(template), **development}
            wait_all(
                {
                    "migrate": (
                        run(
                            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                            migrate_env,
                            workdir / "migrate.log",
                        ),
                        workdir / "migrate.log",
                    ),
                    "collectstatic": (
                        run(
                            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
                            envs[LARGE],
                            workdir / "static.log",
                        ),
                        workdir / "static.log",
                    ),
                },
                timeout=120,
            )
            for n in SIZES:
                admin_sql(f'CREATE DATABASE "{names[n]}" TEMPLATE "{template}"')
                created.append(names[n])
            admin_sql(f'DROP DATABASE IF EXISTS "{template}"')
            created.remove(template)
            # Seed both sizes at once; the session is signed with the servers' secret key.
            seeding = {}
            for n in SIZES:
                env = {**envs[n], **development, "DJANGO_LOG_LEVEL": "WARNING"}
                log = workdir / f"seed-{n}.log"
                media, out = workdir / f"media-{n}", workdir / f"seed-{n}.json"
                command = [sys.executable, __file__, "--child", str(n), str(media), str(out)]
                seeding[f"seed N={n}"] = (run(command, env, log), log)
            wait_all(seeding, timeout=180)
            seeds = {n: json.loads((workdir / f"seed-{n}.json").read_text()) for n in SIZES}
            prepared_s = time.monotonic() - started
            for n in SIZES:
                port, log = free_port(), workdir / f"gunicorn-{n}.log"
                command = [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    str(WORKERS),
                    "--bind",
                    f"{HOST}:{port}",
                ]
                servers[n] = Server(n, port, run(command, envs[n], log), log, seeds[n])
            for server in servers.values():
                wait_until_up(server)
            pages = targets(seeds[LARGE])
            headers = {n: prepare(servers[n], pages) for n in SIZES}
            wrong_at_start = {}
            for n in SIZES:
                for label, problem in check(servers[n], pages, headers[n]).items():
                    wrong_at_start[label] = f"N={n}: {problem}"
            clients = LoadClients(servers[LARGE].port)
            result = {"throughput": throughput(clients, pages, headers[LARGE])}
            clients.close()
            clients = None
            result["sizes"] = sizes(servers[LARGE], pages, headers[LARGE])
            result["latency"] = latencies(servers, pages, headers)
            errors = {
                n: [
                    line
                    for line in server.log.read_text(errors="replace").splitlines()
                    if "Traceback" in line or "Internal Server Error" in line or "[ERROR]" in line
                ]
                for n, server in servers.items()
            }
    finally:
        if clients is not None:
            clients.close()
        for server in servers.values():
            stop(server.popen)
        for name in created:
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for n in SIZES:
            with contextlib.suppress(Exception):
                flush_redis(n)

    print(f"prepared in {prepared_s:.1f}s (migrate, collectstatic, seed both sizes)\n")
    missed = report(pages, seeds, result, wrong_at_start)
    for n, lines in errors.items():
        if lines:
            print(f"\ngunicorn N={n} logged {len(lines)} errors; first: {lines[0][:300]}")
            missed.append(f"errors at N={n}")
    print(f"\nwhole run {time.monotonic() - started:.1f}s")
    if missed:
        print(f"FAIL: {', '.join(missed)}")
        return 1
    print("OK: every page within its targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
