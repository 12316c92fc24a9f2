import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

from groups.models import Role
from groups.permissions import organizers_group

from .factories import PASSWORD, GroupFactory, MembershipFactory, organizer_for

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


_MIGRATED: dict = {}


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the long files first and tests/production as one unit
    (tests/scheduling.py)."""
    if config.getvalue("dist") == "loadfile":
        from .scheduling import LongFirstFileScheduling

        return LongFirstFileScheduling(config, log)
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix,
    django_db_use_migrations,
    django_db_blocker,
    request,
    tmp_path_factory,
):
    """On PostgreSQL under pytest-xdist, each worker's test database is a copy of one template
    migrated once per run (tests/databases.py)."""
    from django.db import connection

    from . import databases

    run = getattr(request.config, "workerinput", {}).get("testrunuid")
    if not (run and django_db_use_migrations and databases.is_postgresql()):
        return None
    worker_database = connection.settings_dict["TEST"]["NAME"]
    shared = tmp_path_factory.getbasetemp().parent
    with django_db_blocker.unblock():
        template = databases.clone_from_template(
            worker_database=worker_database, shared=shared, run=run
        )
    _CLONED.update(worker_database=worker_database, template=template, shared=shared)
    return None


_CLONED: dict = {}


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_modify_db_settings, request):
    """Django takes the copy made above as migrated (it runs `migrate`, which finds nothing to
    do) and leaves it for django_db_setup below to drop."""
    return bool(_CLONED) or request.config.getvalue("reuse_db")


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """A transactional test's flush on PostgreSQL: DELETE, not TRUNCATE; on both databases
    the content types and permissions kept, and no post_migrate (tests/databases.py)."""
    from . import databases

    restore = databases.flush_by_delete()
    keep = databases.keep_reference_tables()
    yield
    keep()
    restore()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reads what the migrations wrote into the test database before any test runs: a
    transactional test empties every table when it ends, and under pytest-xdist one may run
    on the same worker before the test that checks the migrations' data."""
    from django.contrib.auth.models import Group as AuthGroup

    with django_db_blocker.unblock():
        # core/migrations/0001 makes the database cache's table; `make quick` builds the
        # tables from the models instead (--no-migrations), so it is made here too.
        call_command("createcachetable", verbosity=0)
        organizers = AuthGroup.objects.filter(name="Organizers").first()
        _MIGRATED["organizer_permissions"] = (
            sorted(organizers.permissions.values_list("content_type__app_label", "codename"))
            if organizers
            else None
        )
        # ...and the "Organizers" permission group, which the migrations make: made once
        # here when they did not run, rather than again in each test that needs it.
        organizers_group()
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()
        if _CLONED:
            from . import databases

            databases.drop_worker_database(**_CLONED)


def _end_other_sessions() -> None:
    """Before pytest-django drops the test database: a thread of a test that ended (a live
    server's request thread, a pool of concurrent clients) may still hold a connection, and
    PostgreSQL refuses to drop a database in use ("being accessed by other users")."""
    from django.db import connection, connections

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def _own_machine_slots(tmp_path_factory):
    """core.slots allows N image decodes (and upload bodies) at once per machine, with lock
    files in the temp folder: every test process on the machine (the other xdist worker, other
    checkouts' runs) would share them, and on 2 cores N is 1, so each photo a test processes
    would wait for everyone else's. Each test process counts in its own folder; a test that
    holds a slot itself (tests/photos/test_pipeline.py) still meets the site's code there."""
    from core import slots

    folder = tmp_path_factory.mktemp("machine-slots")
    shared = slots.tempfile
    slots.tempfile = SimpleNamespace(gettempdir=lambda: str(folder))
    yield
    slots.tempfile = shared


@pytest.fixture
def migrated_organizer_permissions(django_db_setup):
    """(app label, codename) of the permissions the migrations gave the "Organizers" group."""
    return _MIGRATED["organizer_permissions"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing is not under test; PBKDF2's deliberate slowness would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _main_language():
    """Each test starts in the main language: a request leaves its language active in the
    thread (LocaleMiddleware never deactivates it), and what a factory writes to a translated
    field (title=…) goes to the active language's column (django-modeltranslation)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and feed bodies live in the caches; each test starts with none."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def group(db):
    return GroupFactory()


@pytest.fixture
def member(group):
    return MembershipFactory(group=group, role=Role.MEMBER).user


@pytest.fixture
def organizer(group):
    """Staff, not superuser, in the "Organizers" permission group the migration creates."""
    return organizer_for(group)


class FullDisk:
    """MEDIA_ROOT on its own small tmpfs: a real filesystem that runs out of space."""

    FILLER = ".filler"

    def __init__(self, root: Path):
        self.root = root

    def fill(self, *, room: int = 0) -> None:
        """Takes all the free space but about `room` bytes."""
        stats = os.statvfs(self.root)
        free = stats.f_bavail * stats.f_frsize
        with open(self.root / self.FILLER, "ab") as filler:
            filler.write(b"\0" * max(0, free - room))

    def free(self) -> None:
        (self.root / self.FILLER).unlink(missing_ok=True)

    def files(self) -> list[str]:
        """What the site stored (the filler left out), with the size of each."""
        return sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("*")
            if p.is_file() and p.name != self.FILLER
        )


@pytest.fixture
def full_disk(settings, tmp_path):
    """A 2 MB tmpfs mounted as MEDIA_ROOT (needs root: skipped with the reason otherwise);
    call .fill(room=…) to leave it nearly full."""
    root = tmp_path / "media-on-tmpfs"
    root.mkdir()
    mounted = subprocess.run(  # noqa: S603 - fixed arguments and our own temporary folder
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(root)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs for a real full disk: mount said {mounted.stderr.strip()!r}")
    settings.MEDIA_ROOT = root
    try:
        yield FullDisk(root)
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)  # noqa: S603, S607


@pytest.fixture
def password():
    return PASSWORD


def _chromium_path() -> str | None:
    """CHROMIUM if set; else Debian's chromium-headless-shell when installed (the same
    Chromium release built for headless use only, which Playwright itself launches by default:
    it took 14 s of CPU where the full browser took 26 s for the bilingual every-page test);
    else the full browser."""
    candidate = (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium-headless-shell")
        or shutil.which("chromium")
        or "/usr/bin/chromium"
    )
    return candidate if Path(candidate).exists() else None


@pytest.fixture(scope="session")
def browser(live_server):
    """Debian's Chromium driven by Playwright; skipped without it unless REQUIRE_BROWSER=1.

    It asks for the live server so that it closes first: a page still loading when the
    server stops would leave a request thread on the shared SQLite connection."""
    path = _chromium_path()
    if path is None:
        reason = "no Chromium found (install Debian's chromium or set CHROMIUM)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        print(f"\nskipping browser tests: {reason}")
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _recording_tab(context):
    """A new tab that records every request it makes and every console error."""
    tab = context.new_page()
    tab.requested_urls = []
    tab.console_errors = []
    tab.on("request", lambda request: tab.requested_urls.append(request.url))
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    return tab


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab that records every request it makes."""
    context = browser.new_context(base_url=live_server.url)
    yield _recording_tab(context)
    context.close()


@pytest.fixture
def open_tab(browser, live_server):
    """Another person's browser (their own context, so their own session), as many as a test
    needs: open_tab(), or open_tab(java_script_enabled=False)."""
    contexts = []

    def open_tab(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        return _recording_tab(context)

    yield open_tab
    for context in contexts:
        context.close()


_APP_FOLDERS = tuple(
    str(Path(__file__).resolve().parent.parent / app) + os.sep
    for app in (
        *("config", "core", "groups", "events", "members", "photos", "home"),
        *("conversation", "decisions", "api"),
    )
)
_HELPERS = str(Path(__file__).resolve().parent.parent / "core" / "generations.py")


def _writer_outside_the_helpers(model, method: str) -> None:
    """QuerySet.update() and bulk_create() send no signal: app code that calls them on a
    model some page shows must go through core.generations.update() / bulk_create(), which
    move the counters the caches are keyed by. Fails the test that reaches such a call."""
    import sys

    from core.generations import keys_for

    if not keys_for(model):
        return
    frame = sys._getframe(2)
    manager = f"{os.sep}django{os.sep}db{os.sep}models{os.sep}manager.py"
    while frame is not None and frame.f_code.co_filename.endswith(manager):
        frame = frame.f_back  # Model.objects.update(): the manager's proxy
    # Django's own callers (a related manager's add(), a deletion's SET_NULL) send signals.
    filename = frame.f_code.co_filename if frame is not None else ""
    migration = f"{os.sep}migrations{os.sep}" in filename  # a one-off, before any cache
    if filename.startswith(_APP_FOLDERS) and filename != _HELPERS and not migration:
        raise AssertionError(
            f"{filename}:{frame.f_lineno} calls {model.__name__} {method}() directly: use "
            f"core.generations.{method}() so cached pages and feeds see the change"
        )


@pytest.fixture(autouse=True, scope="session")
def _writes_move_the_counters():
    from django.db.models.query import QuerySet

    update, bulk_create = QuerySet.update, QuerySet.bulk_create

    def checked_update(self, **kwargs):
        _writer_outside_the_helpers(self.model, "update")
        return update(self, **kwargs)

    def checked_bulk_create(self, *args, **kwargs):
        _writer_outside_the_helpers(self.model, "bulk_create")
        return bulk_create(self, *args, **kwargs)

    QuerySet.update, QuerySet.bulk_create = checked_update, checked_bulk_create
    yield
    QuerySet.update, QuerySet.bulk_create = update, bulk_create
