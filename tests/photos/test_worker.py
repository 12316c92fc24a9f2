"""Album photos are decoded by the task worker, not the web request: the uploaded bytes wait in
quarantine, the worker stores the photo or refuses it with a reason the uploader sees, and the
quarantined bytes go in every case."""

import io
import json
import zipfile

import pytest
from django.core.cache import caches
from django.urls import reverse

from core import generations
from members import services as member_services
from photos import services
from photos.models import Album, Photo
from tests.factories import MembershipFactory, UserFactory

from .conftest import Upload, image_bytes, stored_files

pytestmark = pytest.mark.django_db

# A JPEG whose header is whole (so the request accepts it) and whose pixels are cut off.
DAMAGED = image_bytes()[:2000]
REASON = (
    "IMG_1.jpg was not added: the image is damaged or incomplete (image file is truncated "
    "(1 bytes not processed))."
)
PROCESSING = "IMG_2.jpg is being processed; it will appear in a moment."


def _named(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _texts(client, url) -> tuple[bool, bool]:
    """Whether the page names the refused and the processing upload."""
    html = client.get(url).content.decode()
    return REASON in html, PROCESSING in html


@pytest.fixture
def uploads(client, album, attendee, media_root, django_capture_on_commit_callbacks):
    """The attendee uploads a damaged file (run by the worker) and a good one (still waiting)."""
    client.force_login(attendee)
    url = reverse("photos:upload", args=[album.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url, {"files": [_named(DAMAGED, "IMG_1.jpg"), _named(image_bytes(), "IMG_2.jpg")]}
        )
    assert response.status_code == 302  # both headers are fine: accepted for the worker
    damaged, waiting = Photo.objects.order_by("pk")
    assert [(p.status, p.upload_name) for p in (damaged, waiting)] == [
        ("processing", "IMG_1.jpg"),
        ("processing", "IMG_2.jpg"),
    ]
    assert stored_files(media_root) == sorted([damaged.incoming_name, waiting.incoming_name])
    # The queued tasks, without the cache generation bumps that also wait for the commit.
    tasks = [c for c in callbacks if not generations.is_bump(c)]
    tasks[0]()  # the worker takes the first
    damaged.refresh_from_db()
    return {"url": url, "damaged": damaged, "waiting": waiting, "next": tasks[1]}


def test_damaged_pixels_are_refused_by_the_worker_with_the_reason_for_the_uploader(
    client, album, attendee, media_root, uploads
):
    damaged, waiting = uploads["damaged"], uploads["waiting"]
    assert (damaged.status, damaged.refusal) == ("refused", REASON)
    # Nothing of it is stored but the row: the quarantined bytes went.
    assert stored_files(media_root) == [waiting.incoming_name]
    assert not damaged.image and not damaged.grid_jpeg
    # The uploader sees both on the upload page and on the album page.
    assert _texts(client, uploads["url"]) == (True, True)
    assert _texts(client, album.get_absolute_url()) == (True, True)
    page = client.get(album.get_absolute_url())
    assert page.context["not_stored"] == [damaged, waiting]
    assert list(page.context["photos"]) == []
    album.refresh_from_db()
    assert album.cover_photo is None


def test_worker_logs_a_refusal(
    client, album, attendee, media_root, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(DAMAGED, "IMG_1.jpg")
        )
    assert [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == "photos.tasks"
    ] == [("photos.tasks", "WARNING", f"Photo {photo.pk} refused by the worker: {REASON}")]


def test_the_worker_stores_the_waiting_one_and_its_quarantine_goes(
    client, album, media_root, uploads
):
    uploads["next"]()
    waiting = Photo.objects.get(pk=uploads["waiting"].pk)
    assert (waiting.status, waiting.upload_name, waiting.has_renditions) == ("published", "", True)
    assert waiting.incoming_name not in stored_files(media_root)
    assert len(stored_files(media_root)) == 5
    album.refresh_from_db()
    assert album.cover_photo == waiting
    assert _texts(client, album.get_absolute_url()) == (True, False)


def test_dismissing_a_refused_photo_deletes_its_row(client, album, media_root, uploads):
    response = client.post(reverse("photos:delete", args=[uploads["damaged"].pk]))
    assert response.status_code == 302
    assert list(Photo.objects.values_list("pk", flat=True)) == [uploads["waiting"].pk]


def test_photo_deleted_while_processing_takes_its_quarantine(
    client, album, attendee, media_root, uploads, django_capture_on_commit_callbacks
):
    waiting = uploads["waiting"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("photos:delete", args=[waiting.pk]))
    assert response.status_code == 302
    assert stored_files(media_root) == []
    uploads["next"]()  # the worker comes to it later: nothing to do, nothing stored
    assert stored_files(media_root) == []
    assert list(Photo.objects.all()) == [uploads["damaged"]]


def test_album_deleted_while_processing_takes_the_quarantine(
    album, media_root, uploads, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Album.objects.filter(pk=album.pk).delete()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("leave_photos", [False, True])
def test_member_deletion_deletes_their_quarantined_uploads(
    album, attendee, organizer, media_root, leave_photos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "kept.jpg")
        )
    waiting = services.photo_add(
        album=album, uploaded_by=attendee, file=Upload(image_bytes(), "waiting.jpg")
    )
    assert len(stored_files(media_root)) == 6
    with django_capture_on_commit_callbacks(execute=True):
        member_services.member_delete(member=attendee, leave_photos=leave_photos)
    assert not Photo.objects.filter(pk=waiting.pk).exists()
    assert waiting.incoming_name not in stored_files(media_root)
    left = list(Photo.objects.values_list("pk", "uploaded_by"))
    assert left == ([(stored.pk, None)] if leave_photos else [])
    assert len(stored_files(media_root)) == (5 if leave_photos else 0)


def test_export_lists_an_upload_not_stored_without_a_file(
    album, attendee, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "kept.jpg")
        )
    services.photo_add(album=album, uploaded_by=attendee, file=Upload(image_bytes(), "w.jpg"))
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=attendee)))
    photos = json.loads(archive.read("data.json"))["photos"]
    assert [(p["file"], p["status"]) for p in photos] == [
        (f"photos/{stored.pk}.jpg", "published"),
        (None, "processing"),
    ]
    assert [n for n in archive.namelist() if n.startswith("photos/")] == [f"photos/{stored.pk}.jpg"]


def test_others_never_see_an_upload_not_stored(client, group, album, uploads, organizer):
    """Not on the album, upload, photo, list, home or profile pages; not counted."""
    waiting, damaged = uploads["waiting"], uploads["damaged"]
    viewers = {
        "anonymous": None,
        "outsider": UserFactory(),
        "member": MembershipFactory(group=group).user,
        "organizer": organizer,
    }
    for role, viewer in viewers.items():
        client.logout()
        if viewer:
            client.force_login(viewer)
        pages = [album.get_absolute_url(), "/photos/", "/", f"/members/{waiting.uploaded_by_id}/"]
        for url in pages:
            html = client.get(url).content.decode()
            assert ("IMG_1.jpg" in html, "IMG_2.jpg" in html) == (False, False), (role, url)
        for photo in (waiting, damaged):
            assert client.get(photo.get_absolute_url()).status_code == 404, role
            assert client.get(photo.grid_jpeg_url).status_code == 404, role
    for cache in caches.all():  # a fresh render, not the page cache's copy of the loop's pages
        cache.clear()
    assert client.get("/").context["counts"]["photos"] == 0
    assert client.get("/photos/").context["albums"][0].photo_count == 0


def test_a_lost_quarantine_is_told_to_the_uploader(media_root, uploads):
    waiting = uploads["waiting"]
    waiting.image.storage.delete(waiting.incoming_name)  # a restore without it, say
    uploads["next"]()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.refusal) == (
        "refused",
        "IMG_2.jpg was not added: the uploaded file was lost.",
    )
