"""Who may do what with photos: role × URL × method → status."""

import shutil

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext, override_settings

from core import generations
from events import services as event_services
from photos import services
from photos.models import Album, Photo, Visibility
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
    stored_photos,
)
from tests.worlds import built_once, fresh_copy

from .conftest import Upload, image_bytes

pytestmark = pytest.mark.django_db

# "outsider": an account that never joined; "member": a member who was not at the event.
ROLES = ["anonymous", "outsider", "member", "went", "did_not_go", "uploader", "organizer"]


def _build(media):
    """A public album (the event's) and a members-only album, each with one photo; their files
    go to `media`, which each test gets a copy of (`world`)."""
    with override_settings(MEDIA_ROOT=media):
        group = GroupFactory()
        event = EventFactory()
        album = Album.objects.create(group=group, event=event, title=event.title)
        uploader = UserFactory()  # the attendee: a member who was going to the event
        event_services.rsvp_set(event=event, member=uploader, going=True)
        organizer = organizer_for(group)
        # Small (what is tested is who may see it): each processed photo costs five encodes.
        picture = image_bytes(size=(300, 200))
        with TestCase.captureOnCommitCallbacks(execute=True):
            public_photo = services.photo_add(
                album=album, uploaded_by=uploader, file=Upload(picture, "p.jpg"), alt_text="P"
            )
            private_album = Album.objects.create(
                group=group, title="Members only", visibility=Visibility.MEMBERS
            )
            private_photo = services.photo_add(
                album=private_album, uploaded_by=organizer, file=Upload(picture, "m.jpg")
            )
        # Two more of the uploader's: one the worker has not reached, one it refused.
        processing = services.photo_add(
            album=album, uploaded_by=uploader, file=Upload(picture, "waiting.jpg")
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            refused = services.photo_add(
                album=album,
                uploaded_by=uploader,
                file=Upload(picture[: len(picture) // 2], "cut.jpg"),
            )
    went = UserFactory()
    event_services.rsvp_set(event=event, member=went, going=True)
    return {
        "users": {
            "outsider": UserFactory(),
            "member": MembershipFactory(group=group).user,
            "went": went,
            "did_not_go": UserFactory(),
            "uploader": uploader,
            "organizer": organizer,
        },
        "public_album": album,
        "public_photo": Photo.objects.get(pk=public_photo.pk),
        "private_album": private_album,
        "private_photo": Photo.objects.get(pk=private_photo.pk),
        "processing": Photo.objects.get(pk=processing.pk, status="processing"),
        "refused": Photo.objects.get(pk=refused.pk, status="refused"),
        "event": event,
    }


@pytest.fixture(scope="class")
def built_media(tmp_path_factory):
    return tmp_path_factory.mktemp("photo-world-media")


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker, built_media):
    """The world, built once for TestWorld's rows (tests/worlds.py): its photos took five
    image encodes each, for every one of the table's rows."""
    yield from built_once(django_db_blocker, lambda: _build(built_media))


@pytest.fixture
def world(built, built_media, media_root, db):
    """The world as built, its files copied into this test's own media folder: what a test
    writes or deletes there, as in the database, is gone for the next."""
    shutil.copytree(built_media, media_root, dirs_exist_ok=True)
    return fresh_copy(built)


def _url(name, w):
    pub, priv, waiting, refused = (
        w[k] for k in ("public_photo", "private_photo", "processing", "refused")
    )
    return {
        "albums": "/photos/",
        "public_album": w["public_album"].get_absolute_url(),
        "public_photo": pub.get_absolute_url(),
        "public_grid": pub.grid_webp_url,
        "public_full": pub.full_url,
        "private_album": w["private_album"].get_absolute_url(),
        "private_photo": priv.get_absolute_url(),
        "private_grid": priv.grid_jpeg_url,
        "upload_album": f"/photos/albums/{w['public_album'].pk}/upload/",
        "upload_event": f"/events/{w['event'].slug}/photos/upload/",
        "takedown": f"/photos/{pub.pk}/takedown/",
        "hide": f"/photos/{pub.pk}/status/",
        "delete": f"/photos/{pub.pk}/delete/",
        "processing_photo": waiting.get_absolute_url(),
        "processing_grid": waiting.grid_jpeg_url,
        "processing_takedown": f"/photos/{waiting.pk}/takedown/",
        "processing_hide": f"/photos/{waiting.pk}/status/",
        "processing_delete": f"/photos/{waiting.pk}/delete/",
        "refused_photo": refused.get_absolute_url(),
        "refused_delete": f"/photos/{refused.pk}/delete/",
        # The upload's second step names the photos just added: only their uploader's count.
        "describe": (
            f"/photos/albums/{w['public_album'].pk}/describe/"
            f"?photos={pub.pk},{waiting.pk},{refused.pk},{priv.pk}"
        ),
        "describe_missing_album": f"/photos/albums/999999/describe/?photos={pub.pk}",
    }[name]


LOGIN = 302  # anonymous visitors are sent to log in
ANYONE_200 = dict.fromkeys(ROLES, 200)
# "did_not_go" is an account that never joined: members-only is a current membership.
MEMBERS_200 = {
    "anonymous": 404,
    "outsider": 404,
    "member": 200,
    "went": 200,
    "did_not_go": 404,
    "uploader": 200,
    "organizer": 200,
}
NO_ONE = dict.fromkeys(ROLES, 404)
LOGGED_IN_404 = {**NO_ONE, "anonymous": LOGIN}
# Not stored (yet): no page, no file, no takedown or status for anyone; only its uploader and
# organizers may delete it (cancel, dismiss).
UPLOADER_AND_ORGANIZERS = {
    "anonymous": LOGIN,
    "outsider": 403,
    "member": 403,
    "went": 403,
    "did_not_go": 403,
    "uploader": 302,
    "organizer": 302,
}
ACCESS = {
    ("albums", "get"): ANYONE_200,
    ("public_album", "get"): ANYONE_200,
    ("public_photo", "get"): ANYONE_200,
    ("public_grid", "get"): ANYONE_200,
    ("public_full", "get"): MEMBERS_200,
    ("private_album", "get"): MEMBERS_200,
    ("private_photo", "get"): MEMBERS_200,
    ("private_grid", "get"): MEMBERS_200,
    ("public_album", "post"): dict.fromkeys(ROLES, 405),
    ("public_grid", "post"): dict.fromkeys(ROLES, 405),
    ("upload_album", "get"): {
        "anonymous": LOGIN,
        "went": 200,
        "did_not_go": 403,
        "uploader": 200,
        "organizer": 200,
    },
    ("upload_event", "get"): {
        "anonymous": LOGIN,
        "went": 200,
        "did_not_go": 403,
        "uploader": 200,
        "organizer": 200,
    },
    ("upload_album", "put"): {
        "anonymous": LOGIN,
        "went": 405,
        "did_not_go": 405,
        "uploader": 405,
        "organizer": 405,
    },
    ("takedown", "get"): {
        "anonymous": LOGIN,
        "went": 405,
        "did_not_go": 405,
        "uploader": 405,
        "organizer": 405,
    },
    ("takedown", "post"): {
        "anonymous": LOGIN,
        "went": 302,
        "did_not_go": 302,
        "uploader": 302,
        "organizer": 302,
    },
    ("hide", "post"): {
        "anonymous": LOGIN,
        "went": 403,
        "did_not_go": 403,
        "uploader": 403,
        "organizer": 302,
    },
    ("delete", "get"): {
        "anonymous": LOGIN,
        "went": 405,
        "did_not_go": 405,
        "uploader": 405,
        "organizer": 405,
    },
    ("delete", "post"): {
        "anonymous": LOGIN,
        "went": 403,
        "did_not_go": 403,
        "uploader": 302,
        "organizer": 302,
    },
    ("processing_photo", "get"): NO_ONE,
    ("processing_grid", "get"): NO_ONE,
    ("processing_takedown", "post"): LOGGED_IN_404,
    ("processing_hide", "post"): LOGGED_IN_404,
    ("processing_delete", "post"): UPLOADER_AND_ORGANIZERS,
    ("refused_photo", "get"): NO_ONE,
    ("refused_delete", "post"): UPLOADER_AND_ORGANIZERS,
    # Someone else's photos are not theirs to describe: back to the album (302), nothing shown
    # or changed (test_describe_changes_only_the_uploaders_own_photos).
    ("describe", "get"): {**dict.fromkeys(ROLES, 302), "anonymous": LOGIN, "uploader": 200},
    ("describe", "post"): {**dict.fromkeys(ROLES, 302), "anonymous": LOGIN},
    ("describe", "put"): {**dict.fromkeys(ROLES, 405), "anonymous": LOGIN},
    ("describe_missing_album", "get"): {**NO_ONE, "anonymous": LOGIN},
}
TABLE = [
    (url, method, role, code) for (url, method), row in ACCESS.items() for role, code in row.items()
]


def _describe_url(album, photos) -> str:
    return f"/photos/albums/{album.pk}/describe/?photos={','.join(str(p.pk) for p in photos)}"


class TestWorld:
    """The tests that share the world (`built`): the others build their own rows and count
    the photos or queries there are, which the world's would change."""

    @pytest.mark.parametrize(("url", "method", "role", "expected"), TABLE)
    def test_photo_access(self, client, world, url, method, role, expected):
        if role != "anonymous":
            client.force_login(world["users"][role])
        data = {"status": "hidden"} if url.endswith("hide") else {}
        response = getattr(client, method)(_url(url, world), data)
        assert response.status_code == expected
        if expected == LOGIN and role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")

    def test_hidden_photo_files_are_not_served(self, client, world):
        photo = world["public_photo"]
        url = photo.grid_webp_url
        services.photo_request_takedown(photo=photo, member=world["users"]["member"])
        assert client.get(url).status_code == 404
        client.force_login(world["users"]["did_not_go"])
        assert client.get(url).status_code == 404
        client.force_login(world["users"]["organizer"])
        assert client.get(url).status_code == 200

    def test_members_only_album_is_invisible_to_visitors(self, client, world):
        html = client.get("/photos/").content.decode()
        assert "Members only" not in html
        assert world["public_album"].title in html
        home = client.get("/")
        assert world["private_photo"].grid_jpeg_url not in home.content.decode()
        assert home.context["counts"]["photos"] == 2

    def test_public_files_are_cacheable_private_ones_are_not(self, client, world):
        public = client.get(world["public_photo"].grid_webp_url)
        assert public["Cache-Control"] == "public, max-age=86400"
        assert public["Content-Type"] == "image/webp"
        client.force_login(world["users"]["went"])
        private = client.get(world["private_photo"].grid_jpeg_url)
        assert "private" in private["Cache-Control"]
        assert "Cookie" in private["Vary"]

    def test_describe_changes_only_the_uploaders_own_photos(self, client, world):
        """Each photo its own description; another's photo in the list is left out and
        unchanged."""
        public, waiting, private = (
            world[k] for k in ("public_photo", "processing", "private_photo")
        )
        url = _describe_url(world["public_album"], [public, waiting, private])
        client.force_login(world["users"]["uploader"])
        form = client.get(url).context["form"]
        assert [photo.pk for photo, _field in form.rows()] == [public.pk, waiting.pk]
        data = {
            f"alt_{public.pk}": "  Two people laughing  ",
            f"alt_{waiting.pk}": "A long table",
            f"alt_{private.pk}": "Not mine",
        }
        response = client.post(url, data)
        assert (response.status_code, response["Location"]) == (
            302,
            world["public_album"].get_absolute_url(),
        )
        texts = dict(Photo.objects.values_list("pk", "alt_text"))
        assert (texts[public.pk], texts[waiting.pk], texts[private.pk]) == (
            "Two people laughing",
            "A long table",
            "",
        )
        client.force_login(world["users"]["organizer"])
        assert client.post(url, {f"alt_{public.pk}": "Changed"}).status_code == 302
        assert Photo.objects.get(pk=public.pk).alt_text == "Two people laughing"

    def test_describe_refuses_a_too_long_text_next_to_its_field(self, client, world):
        public = world["public_photo"]
        client.force_login(world["users"]["uploader"])
        url = _describe_url(world["public_album"], [public])
        response = client.post(url, {f"alt_{public.pk}": "x" * 501})
        assert response.status_code == 400
        assert list(response.context["form"].errors) == [f"alt_{public.pk}"]
        assert Photo.objects.get(pk=public.pk).alt_text == "P"


def test_album_page_queries_do_not_grow(client, group, album, organizer, settings):
    photos = stored_photos(album, by=organizer, count=10)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(album.get_absolute_url()).status_code == 200
        return len(captured)

    small = queries()
    Photo.objects.bulk_create(
        Photo(album=album, uploaded_by=organizer, image=f"photos/y/{i}.jpg", alt_text=f"Y {i}")
        for i in range(490)
    )
    assert len(photos) + 490 == Photo.objects.count()
    generations.data_changed()  # bulk_create sends no signal: its callers say it themselves
    large = queries()
    # group, album, count, the page of photos
    assert small == large == 4


def test_photos_without_alt_text_still_have_a_name(
    client, album, attendee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_add(album=album, uploaded_by=attendee, file=Upload(image_bytes(), "a.jpg"))
    html = client.get(album.get_absolute_url()).content.decode()
    assert 'alt="A photo without a description"' in html


def test_describe_page_queries_do_not_grow(
    client, album, attendee, django_capture_on_commit_callbacks
):
    client.force_login(attendee)
    picture = image_bytes(size=(300, 200))

    def add(count):
        with django_capture_on_commit_callbacks(execute=True):
            return [
                services.photo_add(album=album, uploaded_by=attendee, file=Upload(picture, "p.jpg"))
                for _ in range(count)
            ]

    def queries(photos):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_describe_url(album, photos)).status_code == 200
        return len(captured)

    # session, user, group, album, the photos
    assert queries(add(1)) == queries(add(10)) == 5
