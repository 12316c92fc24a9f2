"""The exit bundle: the demo group's public site as static files, nothing members-only in it."""

import html
import io
import json
import re
import shutil
import zipfile

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase
from django.test.utils import override_settings

from events.models import RSVP, Event, Speaker
from groups.models import Group, Membership, Role
from home import exitbundle
from photos.models import Album, Photo, PhotoStatus, Visibility
from photos.services import photo_add
from tests.factories import EventFactory, MembershipFactory, UserFactory, VenueFactory
from tests.photos.conftest import image_bytes
from tests.worlds import built_once

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "77 Hidden Lane Secretstreet"
DRAFT_TITLE = "Draftnight Unannounced Zyxw"
ATTENDEE = "Quintessa Attendeename"
MEMBERS_ALBUM = "Members Only Albumtitle"
MEMBERS_ALT = "Members only alt text zqx"
SECRETS = (SECRET_ADDRESS, DRAFT_TITLE, ATTENDEE, "draftnight", MEMBERS_ALBUM, MEMBERS_ALT)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """seed_demo's group and its bundle, built once for the module's tests (tests/worlds.py):
    seeding the demo and crawling it took 7 s, and every test only reads the rows and files."""
    folder = tmp_path_factory.mktemp("exit-bundle")
    yield from built_once(django_db_blocker, lambda: _build(folder))


@pytest.fixture(autouse=True)
def bundle_zip(built, db):
    """The bundle's files and crawl; each test only reads them, so they are not copied."""
    return built


def _build(folder):
    """The demo and its bundle, under the settings seed_demo and the crawl need; the ZIP goes
    into the module's temp folder (build_zip leaves removing it to its caller)."""
    with override_settings(
        DEBUG=True,
        MEDIA_ROOT=folder / "media",
        SITE_URL="https://coops.example.org",
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "coops.example.org"],
    ):
        _demo()
        name, crawled = exitbundle.build_zip(folder="coops-site")
    archive_path = shutil.move(name, folder / "coops-site.zip")
    with zipfile.ZipFile(archive_path) as archive:
        archive.extractall(folder / "bundle")
    return {"root": folder / "bundle" / "coops-site", "crawled": crawled, "zip": archive_path}


def _demo():
    """seed_demo's group, plus what must never leave: a members-only address, a draft, an
    attendee's name (shown to members in the event's list of people going)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    group = Group.objects.get()
    hidden = VenueFactory(name="The Back Room", address=SECRET_ADDRESS)
    upcoming = EventFactory(
        group=group,
        title="Members address evening",
        slug="members-address-evening",
        venue=hidden,
        address_for_attendees_only=True,
    )
    EventFactory(group=group, title=DRAFT_TITLE, slug="draftnight", status="draft")
    attendee = UserFactory(display_name=ATTENDEE)
    MembershipFactory(group=group, role=Role.MEMBER, user=attendee)
    RSVP.objects.create(event=upcoming, member=attendee, status="going")
    organizer = Membership.objects.filter(group=group).organizers().first().user
    album = Album.objects.create(
        group=group, title=MEMBERS_ALBUM, visibility=Visibility.MEMBERS, created_by=organizer
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo_add(
            album=album,
            uploaded_by=organizer,
            file=ContentFile(image_bytes(), name="m.jpg"),
            alt_text=MEMBERS_ALT,
        )


def test_bundle_holds_the_public_site(bundle_zip):
    root = bundle_zip["root"]
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert bundle_zip["crawled"].errors == []
    published = Event.objects.published()
    expected = {
        "index.html",
        "events/index.html",
        "events/past/index.html",
        "privacy/index.html",
        "photos/index.html",
        "calendar.ics",
        "calendar/index.html",
        "events/feed.atom",
        "data.json",
        "static/css/potluck.css",
        *(f"events/{event.slug}/index.html" for event in published),
        *(f"speakers/{slug}/index.html" for slug in Speaker.objects.values_list("slug", flat=True)),
        *(
            f"photos/albums/{pk}/index.html"
            for pk in Album.objects.filter(visibility=Visibility.PUBLIC).values_list(
                "pk", flat=True
            )
        ),
    }
    assert expected - files == set()
    public_photos = Photo.objects.filter(
        album__visibility=Visibility.PUBLIC, status=PhotoStatus.PUBLISHED
    )
    assert public_photos.exists()
    for photo in public_photos:
        assert f"photos/{photo.pk}/index.html" in files
        assert f"photos/f/{photo.key}/large.jpg" in files  # the image files themselves
    members_only = Photo.objects.filter(album__visibility=Visibility.MEMBERS)
    assert members_only.count() == 1
    for photo in members_only:
        assert not any(str(photo.key) in name for name in files)
        assert f"photos/albums/{photo.album_id}/index.html" not in files


def test_links_are_relative_and_lead_somewhere(bundle_zip):
    """Every link, image and stylesheet of every page is a file of the bundle, or an address
    on the live site (sign-in, RSVP, the other language) or elsewhere; none starts with "/"."""
    root = bundle_zip["root"]
    missing = []
    for page in root.rglob("*.html"):
        text = page.read_text()
        assert "<script src" not in text
        links = re.findall(r'(?:href|src|action)="([^"]*)"', text)
        for srcset in re.findall(r'srcset="([^"]*)"', text):
            links += [part.strip().split(" ")[0] for part in srcset.split(",")]
        for link in links:
            link = html.unescape(link)
            assert not link.startswith("/"), (page, link)
            if link.startswith(("#", "https://", "http://", "mailto:", "webcal://")):
                continue
            target = (page.parent / link.split("#")[0]).resolve()
            if not target.is_file():
                missing.append((str(page.relative_to(root)), link))
    assert missing == []


def test_data_json_is_what_visitors_see(bundle_zip):
    data = json.loads((bundle_zip["root"] / "data.json").read_text())
    titles = sorted(event["name"] for event in data["events"])
    assert titles == sorted(Event.objects.published().values_list("title", flat=True))
    evening = next(e for e in data["events"] if e["name"] == "Members address evening")
    # The venue's address is for attendees only: the city, never the street.
    assert evening["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "New York, NY",
    }
    photos = [photo for album in data["albums"] for photo in album["photos"]]
    assert photos
    for photo in photos:
        assert (bundle_zip["root"] / photo["file"]).is_file()
    assert {photo["alt"] for photo in photos} >= set(
        Photo.objects.filter(album__visibility=Visibility.PUBLIC)
        .exclude(alt_text="")
        .values_list("alt_text", flat=True)
    )


def test_nothing_members_only_anywhere(bundle_zip):
    """A members-only field value (an address for attendees only), a draft and an attendee's
    name appear in no file of the archive, compressed or not."""
    assert RSVP.objects.filter(member__display_name=ATTENDEE).exists()
    with zipfile.ZipFile(bundle_zip["zip"]) as archive:
        names = archive.namelist()
        for name in names:
            data = archive.read(name)
            for secret in SECRETS:
                assert secret.encode() not in data, (secret, name)
                assert secret not in name
