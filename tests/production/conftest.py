"""Potluck as an operator runs it: two gunicorn servers, one database, one task worker.

The `production` fixture is session-scoped and parametrized over the cache: once with
REDIS_URL, once without (the database cache). Each parametrization gets a fresh PostgreSQL
database cloned from one migrated template, runs README's commands, starts its processes
once, fills in the scenario (organizer, member, events, images uploaded over HTTP) and stops
everything at teardown, also when a test or the set-up fails.
"""

import io
import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.twofactor import fresh_totp_code, totp_code

from .client import Client, replace
from .stack import Process, Server, Stack, production_env, wait_until_answering

PASSWORD = "production suite passphrase 7"
REDIS_DB = 15  # flushed before the Redis run
RENDITION_TIMEOUT = 60  # seconds for the worker to make photo renditions
TIMINGS: dict[str, dict[str, float]] = {}


def _require_or_skip(reason: str):
    if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"production suite cannot run: {reason}")
    print(f"\nskipping the production suite: {reason}")
    pytest.skip(reason)


def _timing_line(name: str, phases: dict[str, float]) -> str:
    parts = ", ".join(f"{phase} {seconds:.1f}s" for phase, seconds in phases.items())
    return f"production suite [{name}]: {parts}"


def pytest_terminal_summary(terminalreporter):
    for name, phases in TIMINGS.items():
        terminalreporter.write_line(_timing_line(name, phases))


class Clock:
    """Wall time per phase, for the summary line."""

    def __init__(self, phases: dict[str, float]):
        self.phases = phases
        self.started = self.last = time.monotonic()

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[phase] = now - self.last
        self.last = now

    def total(self) -> None:
        self.phases["total"] = time.monotonic() - self.started


# --- the database server ------------------------------------------------------------------------


@dataclass
class DatabaseServer:
    url: str  # DATABASE_URL as given

    def url_for(self, name: str) -> str:
        parts = urlsplit(self.url)
        return parts._replace(path=f"/{name}", query="").geturl()

    def admin(self, sql: str) -> None:
        import psycopg

        parts = urlsplit(self.url)
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as connection:
            connection.execute(sql)


@pytest.fixture(scope="session")
def database_server():
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        _require_or_skip(
            "DATABASE_URL is not a PostgreSQL address (two servers must share one database)"
        )
    return DatabaseServer(url)


@pytest.fixture(scope="session")
def migrated_template(database_server, tmp_path_factory):
    """One database migrated by `manage.py migrate`; each run starts from a copy of it."""
    name = f"potluck_prod_{secrets.token_hex(4)}_template"
    clock = Clock(TIMINGS.setdefault("shared set-up", {}))
    database_server.admin(f'CREATE DATABASE "{name}"')
    try:
        stack = Stack(
            env=production_env(
                database_url=database_server.url_for(name),
                redis_url=None,
                media_root=tmp_path_factory.mktemp("media"),
                secret_key=secrets.token_urlsafe(50),
            ),
            workdir=tmp_path_factory.mktemp("template"),
        )
        stack.manage("migrate", "--no-input")
        clock.mark("migrate")
        stack.manage("collectstatic", "--no-input")
        clock.mark("collectstatic")
        yield name
    finally:
        database_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- one production run -------------------------------------------------------------------------


@dataclass
class Production:
    name: str
    stack: Stack
    a: Server
    b: Server
    worker: Process
    data: dict
    uploads: dict[str, int] = field(default_factory=dict)
    organizer: Client | None = None
    member: Client | None = None

    @property
    def servers(self) -> tuple[Server, Server]:
        return (self.a, self.b)


def image_bytes(fmt: str, size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size, color)
    ImageDraw.Draw(picture).rectangle(
        (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(20, 20, 90)
    )
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def jpeg(name: str, size=(1200, 600), color=(200, 80, 40)):
    return (name, f"{name}.jpg", "image/jpeg", image_bytes("JPEG", size, color))


def png(name: str, size=(400, 400), color=(40, 160, 90)):
    return (name, f"{name}.png", "image/png", image_bytes("PNG", size, color))


def admin_change(client: Client, server: Server, model_path: str, pk: int, *, files=(), **values):
    """Submits an admin change form as a browser would: every field as shown, some changed."""
    path = f"/admin/{model_path}/{pk}/change/"
    shown = client.get(server, path)
    assert shown.status == 200, f"{path} on {server}: {shown.status}"
    model = model_path.rsplit("/", 1)[1]
    form = shown.page().form(id=f"{model}_form")
    data = [*replace(form.data(), **values), ("_save", "Save")]
    return client.post(server, path, data, files=list(files))


def upload_form(client: Client, server: Server, path: str, *, files, **values):
    """GETs a page with an upload form (multipart) and submits it with files."""
    shown = client.get(server, path)
    assert shown.status == 200, f"{path} on {server}: {shown.status}"
    form = shown.page().form(enctype="multipart/form-data")
    data = replace(form.data(), **values) if values else form.data()
    return client.post(server, form.attrs.get("action") or path, data, files=list(files))


SEED = """
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from events.models import Event, EventSpeaker, EventStatus, Speaker
from core.markdown import markdown_store
from groups.models import Group, Membership, Role
from groups.services import membership_set_role
from members.models import User
from photos.models import Album, Visibility

now = timezone.now()
group = Group.objects.create(
    name="Production Potluck", slug="production-potluck", tagline="Tested the way it runs",
    step_up="Want to step up? Tell us.", time_zone="Europe/Berlin",
)
group.save(update_fields=markdown_store(group))

from django.contrib.auth.hashers import make_password

HASHED = make_password(PASSWORD)  # hashed once: production's hasher is slow on purpose

def person(email, name, role):
    user = User.objects.create(email=email, password=HASHED, display_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    membership = Membership.objects.create(group=group, user=user, role=Role.MEMBER)
    if role != Role.MEMBER:
        membership_set_role(membership=membership, role=role)
    return user

organizer = person("organizer@potluck.test", "Olive Organizer", Role.ORGANIZER)
member = person("member@potluck.test", "Mina Member", Role.MEMBER)
rsvper = person("rsvp@potluck.test", "Ravi Rsvp", Role.MEMBER)
session = person("session@potluck.test", "Sami Session", Role.MEMBER)
locked_both = person("locked-both@potluck.test", "Lou Locked", Role.MEMBER)

def event(title, days):
    return Event.objects.create(
        group=group, title=title, slug=slugify(title), summary=f"About {title}.",
        status=EventStatus.PUBLISHED, starts_at=now + timedelta(days=days),
        ends_at=now + timedelta(days=days, hours=2),
    )

cover = event("Cover Story Evening", 7)
members_evening = event("Members Evening", 9)
past = event("Past Gathering", -30)
admin_feed = event("Admin Feed Check", 11)
shell_feed = event("Shell Feed Check", 12)
rsvp_event = event("Worker Mail Check", 13)
speaker = Speaker.objects.create(name="Ada Speaker", slug="ada-speaker", bio="Talks about co-ops.")
speaker.save(update_fields=markdown_store(speaker))
EventSpeaker.objects.create(event=cover, speaker=speaker)
members_album = Album.objects.create(
    group=group, event=members_evening, title="Members Evening photos",
    visibility=Visibility.MEMBERS, created_by=organizer,
)
# Links that emails carry, signed with this run's secret key, for the access-log test.
from core.emails.message import unsubscribe_token
from events.emails import cant_make_it_token
from events.models import RSVP
from events.services import rsvp_set

rsvp_set(event=cover, member=member, going=True)
email_tokens = {
    "unsubscribe": unsubscribe_token(member, "announcement"),
    "cant-make-it": cant_make_it_token(RSVP.objects.get(event=cover, member=member)),
}
result({
    "group": group.pk,
    "email_tokens": email_tokens,
    "organizer": {"email": organizer.email, "pk": organizer.pk},
    "member": {"email": member.email, "pk": member.pk, "token": member.calendar_token},
    "rsvper": {"email": rsvper.email, "pk": rsvper.pk},
    "session": {"email": session.email, "pk": session.pk},
    "events": {
        e.slug: e.pk for e in [cover, members_evening, past, admin_feed, shell_feed, rsvp_event]
    },
    "cover": cover.slug, "members_evening": members_evening.slug, "past": past.slug,
    "admin_feed": admin_feed.slug, "shell_feed": shell_feed.slug, "rsvp_event": rsvp_event.slug,
    "speaker": {"pk": speaker.pk, "slug": speaker.slug},
    "members_album": members_album.pk,
    "locked_both": locked_both.email,
})
"""

RENDITIONS = """
import time
from photos.models import Album, Photo
deadline = time.monotonic() + TIMEOUT
while time.monotonic() < deadline:
    waiting = Photo.objects.filter(grid_jpeg="").count()
    if not waiting:
        break
    time.sleep(0.5)
photos = list(Photo.objects.order_by("pk").values("pk", "album_id", "grid_jpeg"))
albums = {a.pk: a.visibility for a in Album.objects.all()}
result({"waiting": waiting, "photos": photos, "albums": albums})
"""


def _organizer_with_authenticator_app(a: Server, b: Server, email: str) -> Client:
    """On a: password only, the admin sends to the setup page; on b (same session) the app is
    set up from the key on the page; then a fresh login on a with the password and the app's
    code, whose session opens the admin."""
    first = Client()
    login = first.login(a, email, PASSWORD)
    assert login.status == 302, f"organizer login on {a}: {login.status}\n{login.text[:2000]}"
    gate = first.get(a, "/admin/groups/group/")
    assert (gate.status, gate.headers["Location"]) == (
        302,
        "/me/two-factor/admin/?next=%2Fadmin%2Fgroups%2Fgroup%2F",
    ), gate.text[:2000]
    activate = "/accounts/2fa/totp/activate/"
    confirm = first.get(b, activate)
    assert confirm.status == 302, confirm.text[:2000]
    confirmed = first.post(b, confirm.headers["Location"], {"password": PASSWORD})
    assert (confirmed.status, confirmed.headers["Location"]) == (302, activate)
    page = first.get(b, activate)
    secret = re.search(r'id="authenticator-key" class="secret-key" value="([A-Z2-7]+)"', page.text)
    assert secret, page.text[:3000]
    done = first.post(b, activate, {"code": totp_code(secret[1])})
    assert (done.status, done.headers["Location"]) == (302, "/accounts/2fa/recovery-codes/")
    assert first.get(a, "/admin/groups/group/").status == 200

    organizer = Client()
    login = organizer.login(a, email, PASSWORD)
    assert (login.status, login.headers["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert organizer.get(b, "/admin/").status == 302  # not signed in by the password alone
    second = organizer.post(b, "/accounts/2fa/authenticate/", {"code": fresh_totp_code(secret[1])})
    assert (second.status, second.headers["Location"]) == (302, "/"), second.text[:2000]
    assert organizer.get(a, "/admin/").status == 200
    return organizer


def _seed(production: Production) -> None:
    """The scenario's people and events, then images uploaded over HTTP the way people do."""
    stack, a, b = production.stack, production.a, production.b
    data = stack.shell(f"PASSWORD = {PASSWORD!r}\n" + SEED)
    production.data = data
    uploads = production.uploads

    # The admin opens only with a second factor (README "Two-factor sign-in"): the organizer
    # meets the gate, sets up an authenticator app over HTTP, then logs in with its code.
    organizer = _organizer_with_authenticator_app(a, b, data["organizer"]["email"])
    production.organizer = organizer

    uploads["group cover (admin)"] = admin_change(
        organizer, a, "groups/group", data["group"], files=[jpeg("cover_image")]
    ).status
    uploads["event cover (admin)"] = admin_change(
        organizer, b, "events/event", data["events"][data["cover"]], files=[jpeg("cover_image")]
    ).status
    uploads["speaker photo (admin)"] = admin_change(
        organizer,
        a,
        "events/speaker",
        data["speaker"]["pk"],
        files=[png("photo", (300, 300))],
    ).status
    uploads["public album photos (event upload page)"] = upload_form(
        organizer,
        a,
        f"/events/{data['cover']}/photos/upload/",
        files=[jpeg("files", (1000, 750)), png("files", (800, 600), (90, 90, 200))],
        alt_text="Members talking in small groups",
    ).status
    uploads["members-only album photos (event upload page)"] = upload_form(
        organizer,
        b,
        f"/events/{data['members_evening']}/photos/upload/",
        files=[jpeg("files", (800, 600), (10, 120, 120))],
        alt_text="The members-only evening",
    ).status

    member = Client()
    login = member.login(b, data["member"]["email"], PASSWORD)
    assert login.status == 302, f"member login on {b}: {login.status}\n{login.text[:2000]}"
    production.member = member
    uploads["avatar (/me/)"] = upload_form(
        member, b, "/me/", files=[png("avatar_upload", (300, 300), (220, 180, 30))]
    ).status

    photos = stack.shell(f"TIMEOUT = {RENDITION_TIMEOUT}\n" + RENDITIONS)
    data["photos"] = photos
    uploads["photo renditions made by the worker"] = 0 if photos["waiting"] else 302


@pytest.fixture(
    scope="session", params=["redis", "database-cache"], ids=["redis", "database-cache"]
)
def production(request, database_server, migrated_template, tmp_path_factory):
    name = request.param
    clock = Clock(TIMINGS.setdefault(name, {}))
    database = f"{migrated_template.removesuffix('_template')}_{name.replace('-', '_')}"
    workdir = tmp_path_factory.mktemp(f"production-{name}")
    media = Path(tempfile.mkdtemp(prefix="potluck-media-"))
    redis_url = None
    if name == "redis":
        import redis

        redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        connection = redis.Redis.from_url(redis_url, socket_timeout=5)
        connection.flushdb()
        connection.close()
    database_server.admin(f'CREATE DATABASE "{database}" TEMPLATE "{migrated_template}"')
    stack = Stack(
        env=production_env(
            database_url=database_server.url_for(database),
            redis_url=redis_url,
            media_root=media,
            secret_key=secrets.token_urlsafe(50),
        ),
        workdir=workdir,
    )
    try:
        stack.manage("migrate", "--no-input")  # README's step; the copy is already migrated
        clock.mark("migrate")
        a = stack.start_server("server-a", "127.0.0.2")
        b = stack.start_server("server-b", "127.0.0.3")
        worker = stack.start_worker()
        for server in (a, b):
            wait_until_answering(server)
        clock.mark("start")
        production = Production(name, stack, a, b, worker, data={})
        warm = Client()
        for server in (a, b):
            for _ in range(4):  # both gunicorn workers of each server import everything
                warm.get(server, "/")
                warm.get(server, "/accounts/login/")
        clock.mark("warm-up")
        _seed(production)
        clock.mark("scenario")
        yield production
        clock.mark("tests")
    finally:
        stack.stop_all()
        database_server.admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if redis_url:
            import redis

            connection = redis.Redis.from_url(redis_url, socket_timeout=5)
            connection.flushdb()
            connection.close()
        shutil.rmtree(media, ignore_errors=True)
        clock.mark("teardown")
        clock.total()
        print("\n" + _timing_line(name, clock.phases))
