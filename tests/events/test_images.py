"""Event covers, speaker photos and the group cover: uploaded in the admin through the image
pipeline, served by Potluck's own views with the event's access rules, removed with their rows."""

import io

import pytest
from django.core.files.storage import InMemoryStorage
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from PIL import Image

from events.models import Event, Speaker
from groups.models import Group
from tests.factories import EventFactory, SpeakerFactory, UserFactory
from tests.groups.admin_form import group_form
from tests.photos import samples
from tests.photos.conftest import image_bytes, stored_files

from .test_admin import _event_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _upload(data: bytes, name: str):
    file = io.BytesIO(data)
    file.name = name
    return file


def _set_cover(client, event, data, name="cover.jpg"):
    url = reverse("admin:events_event_change", args=[event.pk])
    return client.post(url, _event_form(event, cover_image=_upload(data, name)))


def test_admin_cover_is_re_encoded_without_metadata_and_served(
    client, organizer, media_root, django_capture_on_commit_callbacks
):
    event = EventFactory()
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _set_cover(client, event, samples.dirty_jpeg())
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    stem = event.cover_image.name.removesuffix(".jpg")
    sizes = {
        f"{stem}-600.jpg": (600, 300),
        f"{stem}-600.webp": (600, 300),
        f"{stem}.jpg": (1200, 600),
        f"{stem}.webp": (1200, 600),
    }
    assert stored_files(media_root) == list(sizes)
    for path, size in sizes.items():
        content = (media_root / path).read_bytes()
        assert [m for m in (samples.SECRET, b"acsp", b"Exif") if m in content] == []
        with Image.open(media_root / path) as stored:
            assert (stored.size, stored.info.get("icc_profile")) == (size, None)
    client.logout()
    jpeg_600, webp_600 = (
        url.replace(".", "-600.") for url in (event.cover_jpeg_url, event.cover_webp_url)
    )
    served_sizes = {}
    for url, kind in (
        (event.cover_jpeg_url, "image/jpeg"),
        (event.cover_webp_url, "image/webp"),
        (jpeg_600, "image/jpeg"),
        (webp_600, "image/webp"),
    ):
        served = client.get(url)
        assert (served.status_code, served["Content-Type"]) == (200, kind)
        assert served["Cache-Control"] == "public, max-age=31536000, immutable"
        assert client.get(url, headers={"if-none-match": served["ETag"]}).status_code == 304
        served_sizes[url] = Image.open(io.BytesIO(served.content)).size
    assert served_sizes == {
        event.cover_jpeg_url: (1200, 600),
        event.cover_webp_url: (1200, 600),
        jpeg_600: (600, 300),
        webp_600: (600, 300),
    }
    assert (event.cover_jpeg_srcset, event.cover_webp_srcset) == (
        f"{jpeg_600} 600w, {event.cover_jpeg_url} 1200w",
        f"{webp_600} 600w, {event.cover_webp_url} 1200w",
    )
    page = client.get(event.get_absolute_url()).content.decode()
    sizes_attr = 'sizes="(min-width: 68rem) 66rem, 100vw"'
    assert (
        f'<picture><source type="image/webp" srcset="{event.cover_webp_srcset}" {sizes_attr}>'
        f'<img src="{event.cover_jpeg_url}" srcset="{event.cover_jpeg_srcset}" {sizes_attr} '
        'alt="" width="1200" height="600" decoding="async"></picture>'
    ) in page
    assert (
        f'<meta property="og:image" content="http://127.0.0.1:8000{event.cover_jpeg_url}">' in page
    )
    assert "/media/" not in page
    # The admin's "Currently" link opens the image as it is served, never a /media/ path.
    client.force_login(organizer)
    change = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert f'Currently: <a href="{event.cover_jpeg_url}">' in change
    assert "/media/" not in change


def test_admin_refuses_a_bomb_next_to_the_field_and_stores_nothing(client, organizer, media_root):
    event = EventFactory()
    client.force_login(organizer)
    response = _set_cover(client, event, samples.png_bomb(8500, 5764), "bomb.png")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "cover_image": [
            "bomb.png was not added: it has 49 megapixels; PNG and WebP images may have 16 at "
            "most (save it as JPEG)."
        ]
    }
    assert stored_files(media_root) == []
    assert Event.objects.get(pk=event.pk).cover_image.name == ""


def test_replaced_cover_removes_the_old_files_after_commit(
    client, organizer, media_root, django_capture_on_commit_callbacks
):
    event = EventFactory()
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        _set_cover(client, event, image_bytes())
    old_url = Event.objects.get(pk=event.pk).cover_jpeg_url
    with django_capture_on_commit_callbacks(execute=False) as pending:
        _set_cover(client, event, image_bytes("PNG"), "new.png")
    assert len(stored_files(media_root)) == 8  # the old files wait for the commit
    for callback in pending:
        callback()
    event.refresh_from_db()
    stem = event.cover_image.name.removesuffix(".jpg")
    assert stored_files(media_root) == [
        f"{stem}-600.jpg",
        f"{stem}-600.webp",
        f"{stem}.jpg",
        f"{stem}.webp",
    ]
    assert event.cover_jpeg_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(old_url.replace(".jpg", "-600.jpg")).status_code == 404
    assert client.get(event.cover_jpeg_url).status_code == 200


def test_cleared_cover_and_deleted_event_take_their_files(
    client, organizer, media_root, django_capture_on_commit_callbacks
):
    event = EventFactory()
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        _set_cover(client, event, image_bytes())
        url = reverse("admin:events_event_change", args=[event.pk])
        client.post(url, _event_form(event, **{"cover_image-clear": "on"}))
    assert stored_files(media_root) == []
    with django_capture_on_commit_callbacks(execute=True):
        _set_cover(client, event, image_bytes())
    assert len(stored_files(media_root)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
    assert (Event.objects.count(), stored_files(media_root)) == (0, [])


def _speaker_form(speaker, **changes):
    data = {
        "name": speaker.name,
        "slug": speaker.slug,
        "affiliation": "",
        "bio_en": "",
        "member": "",
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_speaker_photo_is_square_public_and_goes_with_the_speaker(
    client, organizer, media_root, django_capture_on_commit_callbacks
):
    speaker = SpeakerFactory()
    client.force_login(organizer)
    url = reverse("admin:events_speaker_change", args=[speaker.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, _speaker_form(speaker, photo=_upload(samples.dirty_png(), "me.png"))
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker.refresh_from_db()
    client.logout()
    served = client.get(speaker.photo_webp_url)
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(served.content)).size == (256, 256)
    assert samples.SECRET not in served.content
    page = client.get(speaker.get_absolute_url()).content.decode()
    assert f'<img src="{speaker.photo_jpeg_url}" alt="" width="128" height="128"' in page
    with django_capture_on_commit_callbacks(execute=True):
        Speaker.objects.filter(pk=speaker.pk).delete()  # the admin's bulk delete does this
    assert stored_files(media_root) == []


def test_group_cover_through_the_admin(
    client, group, media_root, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:groups_group_change", args=[group.pk])
    data = group_form(group, cover_image=_upload(samples.dirty_webp(), "g.webp"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    group.refresh_from_db()
    client.logout()
    served = client.get(group.cover_jpeg_url)
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
    assert samples.SECRET not in served.content
    small = client.get(group.cover_webp_url.replace(".webp", "-600.webp"))
    assert (small.status_code, small["Content-Type"]) == (200, "image/webp")
    assert small["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(small.content)).size == (600, 300)
    assert len(stored_files(media_root)) == 4
    home = client.get("/").content.decode()
    assert (
        f'<source type="image/webp" srcset="{group.cover_webp_srcset}" '
        'sizes="(min-width: 68rem) 66rem, 100vw">'
    ) in home
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.filter(pk=group.pk).delete()
    assert stored_files(media_root) == []


def test_served_from_any_storage_through_its_api(client, group, settings):
    """No file system path and no redirect to a bucket: the view reads through the storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from django.core.files.storage import default_storage

    assert isinstance(default_storage, InMemoryStorage)
    default_storage.save("events/abc123.jpg", io.BytesIO(b"jpeg bytes"))
    default_storage.save("events/abc123.webp", io.BytesIO(b"webp bytes"))
    event = EventFactory(cover_image="events/abc123.jpg")
    assert isinstance(event.cover_image, FieldFile)
    response = client.get(event.cover_webp_url)
    assert (response.status_code, response.content) == (200, b"webp bytes")


def test_cover_stored_before_renditions_answers_them_with_the_full_size(client, group, media_root):
    """Covers uploaded before the 600 px rendition existed keep working in a srcset."""
    (media_root / "events").mkdir()
    (media_root / "events/abc123.jpg").write_bytes(b"jpeg bytes")
    (media_root / "events/abc123.webp").write_bytes(b"webp bytes")
    event = EventFactory(cover_image="events/abc123.jpg")
    assert event.cover_webp_srcset == (
        f"/events/{event.slug}/cover/abc123-600.webp 600w, "
        f"/events/{event.slug}/cover/abc123.webp 1200w"
    )
    for url, body in (
        (f"/events/{event.slug}/cover/abc123-600.webp", b"webp bytes"),
        (f"/events/{event.slug}/cover/abc123-600.jpg", b"jpeg bytes"),
    ):
        response = client.get(url)
        assert (response.status_code, response.content) == (200, body)
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(f"/events/{event.slug}/cover/abc123-300.jpg").status_code == 404


# --- role × URL × method → status --------------------------------------------------------------

ROLES = ["anonymous", "member", "organizer"]


_PROCESSED: dict = {}


def _processed(shape):
    """process() of one picture, as the admin stores it: the same bytes every time, so each
    shape is encoded once per test process; each test gets a fresh file (its own name)."""
    from core.imagefiles import ProcessedImage, process

    if shape not in _PROCESSED:
        done = process(_upload(image_bytes(), "x.jpg"), shape)
        _PROCESSED[shape] = (done.read(), done.webp, done.renditions)
    return ProcessedImage(*_PROCESSED[shape])


@pytest.fixture
def world(group, organizer, member, media_root):
    from core.imagefiles import COVER, PORTRAIT, store_sibling

    published = EventFactory(status="published")
    draft = EventFactory(status="draft")
    speaker = SpeakerFactory()
    images = [
        (published, "cover_image", COVER),
        (draft, "cover_image", COVER),
        (speaker, "photo", PORTRAIT),
        (group, "cover_image", COVER),
    ]
    for obj, field, shape in images:
        processed = _processed(shape)
        getattr(obj, field).save(processed.name, processed, save=True)
        store_sibling(getattr(obj, field), processed)
    users = {"member": member, "organizer": organizer}
    return {
        "users": users,
        "published": published,
        "draft": draft,
        "speaker": speaker,
        "group": group,
    }


def _url(name, w):
    return {
        "published_cover": w["published"].cover_webp_url,
        "published_cover_600": w["published"].cover_webp_url.replace(".webp", "-600.webp"),
        "draft_cover": w["draft"].cover_jpeg_url,
        "draft_cover_600": w["draft"].cover_jpeg_url.replace(".jpg", "-600.jpg"),
        "speaker_photo": w["speaker"].photo_jpeg_url,
        "speaker_photo_600": w["speaker"].photo_jpeg_url.replace(".jpg", "-600.jpg"),
        "group_cover": w["group"].cover_webp_url,
        "group_cover_600": w["group"].cover_jpeg_url.replace(".jpg", "-600.jpg"),
        "stale_version": w["published"].cover_jpeg_url.replace("/cover/", "/cover/0"),
        "other_ext": w["published"].cover_jpeg_url.replace(".jpg", ".png"),
    }[name]


ACCESS = {
    ("published_cover", "get"): dict.fromkeys(ROLES, 200),
    ("published_cover", "head"): dict.fromkeys(ROLES, 200),
    ("published_cover_600", "get"): dict.fromkeys(ROLES, 200),
    ("published_cover_600", "head"): dict.fromkeys(ROLES, 200),
    ("draft_cover", "get"): {"anonymous": 404, "member": 404, "organizer": 200},
    ("draft_cover_600", "get"): {"anonymous": 404, "member": 404, "organizer": 200},
    ("speaker_photo", "get"): dict.fromkeys(ROLES, 200),
    ("speaker_photo_600", "get"): dict.fromkeys(ROLES, 404),  # portraits have no renditions
    ("group_cover", "get"): dict.fromkeys(ROLES, 200),
    ("group_cover_600", "get"): dict.fromkeys(ROLES, 200),
    ("stale_version", "get"): dict.fromkeys(ROLES, 404),
    ("other_ext", "get"): dict.fromkeys(ROLES, 404),
    ("published_cover", "post"): dict.fromkeys(ROLES, 405),
    ("published_cover_600", "post"): dict.fromkeys(ROLES, 405),
    ("speaker_photo", "post"): dict.fromkeys(ROLES, 405),
    ("group_cover", "delete"): dict.fromkeys(ROLES, 405),
}
TABLE = [
    (url, method, role, code) for (url, method), row in ACCESS.items() for role, code in row.items()
]


@pytest.mark.parametrize(("url", "method", "role", "expected"), TABLE)
def test_image_access(client, world, url, method, role, expected):
    if role != "anonymous":
        client.force_login(world["users"][role])
    response = getattr(client, method)(_url(url, world))
    assert response.status_code == expected


@pytest.mark.parametrize("suffix", ["", "-600"])
def test_draft_cover_is_never_publicly_cached(client, world, suffix):
    client.force_login(world["users"]["organizer"])
    response = client.get(world["draft"].cover_jpeg_url.replace(".jpg", f"{suffix}.jpg"))
    assert (response["Cache-Control"], response["Vary"]) == (
        "private, max-age=3600",
        "Cookie, Accept-Language",
    )
