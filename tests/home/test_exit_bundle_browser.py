"""The exit bundle in Chromium: unzipped, index.html opens over file:// and its links lead to an
event page and an album with no request leaving file://; the admin's progress page passes axe."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from events.models import Event
from groups.models import Group
from home import exitbundle
from home.models import ExitBundle, ExitBundleState
from photos.models import Album, Visibility
from tests.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bundle_browses_offline(page, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://coops.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "coops.example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    name, _crawled = exitbundle.build_zip(folder="site")
    with zipfile.ZipFile(name) as archive:
        archive.extractall(tmp_path / "bundle")
    root = tmp_path / "bundle" / "site"

    left = []

    def watch(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    page.route("**/*", watch)
    page.goto((root / "index.html").as_uri())
    group = Group.objects.get()
    assert group.name in page.title()
    # The stylesheet came along: the page is styled offline.
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px"

    event = Event.objects.published().order_by("starts_at").last()
    page.locator(f'a[href="events/{event.slug}/index.html"]').first.click()
    page.wait_for_load_state()
    assert page.url == (root / "events" / event.slug / "index.html").as_uri()
    assert page.get_by_role("heading", name=event.title, level=1).is_visible()

    page.goto((root / "photos" / "index.html").as_uri())
    album = Album.objects.filter(visibility=Visibility.PUBLIC).first()
    page.locator(f'a[href$="albums/{album.pk}/index.html"]').first.click()
    page.wait_for_load_state()
    assert page.url == (root / "photos" / "albums" / str(album.pk) / "index.html").as_uri()
    images = page.locator("main img")
    assert images.count() >= 1
    # Every image of the album loads from the bundle (waited for: under load "load" can come
    # before a lazy image below the fold is fetched; one missing never loads and times out).
    images.last.scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=15_000,
    )
    assert left == []
    assert [url for url in page.requested_urls if not url.startswith("file://")] == []


@pytest.mark.parametrize(
    "state", [ExitBundleState.BUILDING, ExitBundleState.READY, ExitBundleState.FAILED]
)
def test_progress_page_passes_axe(page, group, organizer, password, settings, tmp_path, state):
    settings.MEDIA_ROOT = tmp_path / "media"
    bundle = ExitBundle.objects.create(
        group=group,
        state=state,
        pages_done=40,
        pages_total=120,
        errors="OSError: No space left on device" if state == ExitBundleState.FAILED else "",
        expires_at=timezone.now() + timedelta(days=7),
    )
    if state == ExitBundleState.READY:
        bundle.archive.save("site.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    log_in(page, organizer.email, password)
    page.goto("/admin/home/exitbundle/")
    assert axe_violations(page) == []
    page.goto(f"/admin/home/exitbundle/{bundle.pk}/change/")
    assert axe_violations(page) == []
    assert page.console_errors == []
    if state == ExitBundleState.READY:
        assert page.get_by_role("link", name="Download the bundle").is_visible()
    if state == ExitBundleState.BUILDING:
        assert page.get_by_label("Files done").is_visible()
    if state == ExitBundleState.FAILED:
        assert page.get_by_text("OSError: No space left on device").is_visible()
