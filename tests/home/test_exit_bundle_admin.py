"""The exit bundle in the admin: who may start, follow and download it; one build at a time;
failures visible; the archive deleted when its time is up."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from groups.models import Role
from home.exittasks import exit_bundle_build, exit_bundles_expire
from home.models import ExitBundle, ExitBundleState
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _ready(group, **fields) -> ExitBundle:
    bundle = ExitBundle.objects.create(
        group=group,
        state=ExitBundleState.READY,
        expires_at=timezone.now() + timedelta(days=7),
        pages_done=3,
        pages_total=3,
        **fields,
    )
    bundle.archive.save("site.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    return bundle


@pytest.fixture
def users(group, member, organizer):
    staff_member = UserFactory(is_staff=True)  # staff, but a plain member of the group
    MembershipFactory(group=group, user=staff_member, role=Role.MEMBER)
    return {
        "anonymous": None,
        "member": member,
        "staff member": staff_member,
        "organizer": organizer,
    }


URLS = {
    "list": lambda b: ("get", "/admin/home/exitbundle/"),
    "progress": lambda b: ("get", f"/admin/home/exitbundle/{b.pk}/change/"),
    "download": lambda b: ("get", f"/admin/home/exitbundle/{b.pk}/download/"),
    "build": lambda b: ("post", "/admin/home/exitbundle/build/"),
    "add": lambda b: ("get", "/admin/home/exitbundle/add/"),
    "delete": lambda b: ("post", f"/admin/home/exitbundle/{b.pk}/delete/"),
}
EXPECTED = {
    # The admin sends whoever is not staff to its login page.
    **{(name, role): 302 for name in URLS for role in ("anonymous", "member")},
    **{(name, "staff member"): 403 for name in URLS},
    ("list", "organizer"): 200,
    ("progress", "organizer"): 200,
    ("download", "organizer"): 200,
    ("build", "organizer"): 302,  # to the new build's progress page
    ("add", "organizer"): 403,
    ("delete", "organizer"): 403,
}


@pytest.mark.parametrize(("name", "role"), sorted(EXPECTED))
def test_access(client, group, users, name, role, django_capture_on_commit_callbacks):
    bundle = _ready(group)
    if users[role]:
        client.force_login(users[role])
    method, url = URLS[name](bundle)
    with django_capture_on_commit_callbacks(execute=False):  # no build runs here
        response = getattr(client, method)(url)
    assert response.status_code == EXPECTED[(name, role)]
    if name == "download" and role == "organizer":
        assert response["Content-Disposition"] == 'attachment; filename="site.zip"'
        response.close()
    if name == "build":
        assert ExitBundle.objects.count() == (2 if role == "organizer" else 1)


def test_organizer_builds_follows_and_downloads(
    client, group, organizer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    event = EventFactory(title="Cooperatives 101")
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/home/exitbundle/build/")
    bundle = ExitBundle.objects.get()
    assert response["Location"] == f"/admin/home/exitbundle/{bundle.pk}/change/"
    assert (bundle.state, bundle.errors) == (ExitBundleState.READY, "")
    assert bundle.pages_done == bundle.pages_total > 5
    page = client.get(response["Location"])
    assert b"Download the bundle" in page.content
    download = client.get(f"/admin/home/exitbundle/{bundle.pk}/download/")
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = archive.namelist()
    download.close()
    folder = f"{group.slug}-site"
    assert f"{folder}/index.html" in names
    assert f"{folder}/events/{event.slug}/index.html" in names


def test_one_build_at_a_time(client, group, organizer, django_capture_on_commit_callbacks):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/admin/home/exitbundle/build/")
        response = client.post("/admin/home/exitbundle/build/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "A bundle is already being built; wait for it to finish."
    ]
    assert ExitBundle.objects.count() == 1
    listing = client.get("/admin/home/exitbundle/")
    assert b"Build a new bundle" not in listing.content
    progress = client.get(f"/admin/home/exitbundle/{ExitBundle.objects.get().pk}/change/")
    assert b"See how far it got" in progress.content


def test_failure_is_visible(client, group, organizer, settings, full_disk):
    """A real failure: the media storage has no room left for the archive."""
    settings.SITE_URL = "http://testserver"
    EventFactory(title="Cooperatives 101")
    full_disk.fill(room=0)
    bundle = ExitBundle.objects.create(group=group)
    assert exit_bundle_build.call(bundle_id=bundle.pk) == ExitBundleState.FAILED
    bundle.refresh_from_db()
    assert (bundle.archive.name, bundle.expires_at) == ("", None)
    assert full_disk.files() == []  # no partial archive left behind
    client.force_login(organizer)
    page = client.get(f"/admin/home/exitbundle/{bundle.pk}/change/")
    assert b"Why it failed" in page.content
    assert bundle.errors.encode() in page.content
    # A failed build does not block the next one.
    assert client.post("/admin/home/exitbundle/build/").status_code == 302


def test_expired_archive_is_deleted(group, settings):
    bundle = _ready(group)
    path = settings.MEDIA_ROOT / bundle.archive.name
    assert path.exists()
    assert exit_bundles_expire(now=timezone.now() + timedelta(days=6)) == 0
    assert exit_bundles_expire(now=timezone.now() + timedelta(days=8)) == 1
    assert not path.exists()
    bundle.refresh_from_db()
    assert (bundle.state, bundle.archive.name) == (ExitBundleState.EXPIRED, "")


@pytest.mark.parametrize("count", [1, 20])
def test_admin_pages_query_count_does_not_grow(
    client, group, organizer, count, django_assert_num_queries
):
    bundles = [_ready(group) for _ in range(count)]
    client.force_login(organizer)
    ContentType.objects.get_for_model(ExitBundle)  # cached for the process after its first use
    with django_assert_num_queries(12):
        assert client.get("/admin/home/exitbundle/").status_code == 200
    with django_assert_num_queries(9):
        assert client.get(f"/admin/home/exitbundle/{bundles[-1].pk}/change/").status_code == 200


def test_a_site_address_the_site_does_not_answer_fails_clearly(group, settings):
    settings.SITE_URL = "https://not-allowed.example.net"
    bundle = ExitBundle.objects.create(group=group)
    assert exit_bundle_build.call(bundle_id=bundle.pk) == ExitBundleState.FAILED
    bundle.refresh_from_db()
    assert bundle.errors == (
        "BundleError: The home page could not be rendered (/ answered 400); is the host of "
        "POTLUCK_SITE_URL among DJANGO_ALLOWED_HOSTS?"
    )
