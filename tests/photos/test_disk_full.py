"""A full disk while album photos come in (a real 2 MB tmpfs as MEDIA_ROOT): the uploader gets
507 and the reason next to the file field, no file and no row is left, the operator an ERROR
in the log; the worker that runs out of room refuses the photo and keeps nothing; the
periodic sweep removes quarantined bytes no photo waits for."""

import logging
import os
import re
import time

import pytest
from django.urls import reverse

from core import generations
from photos import services
from photos.models import Photo
from photos.tasks import photo_process

from .conftest import Upload, image_bytes, stored_files
from .samples import noise

pytestmark = pytest.mark.django_db

MESSAGE = (
    "The site has no room left to store files just now, so this upload was not saved and "
    "nothing of it was kept. Please try again later, and tell the organizers if it keeps "
    "happening."
)


def _named(data: bytes, name: str) -> Upload:
    return Upload(data, name)


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_upload_on_a_full_disk_is_507_with_the_reason_and_leaves_nothing(
    client, album, attendee, full_disk, caplog, django_capture_on_commit_callbacks
):
    client.force_login(attendee)
    url = reverse("photos:upload", args=[album.pk])
    photo = noise("JPEG", (700, 500), quality=95)  # about 300 kB of noise
    assert len(photo) > 200 * 1024
    full_disk.fill(room=64 * 1024)
    response = client.post(url, {"files": [_named(photo, "IMG_9.jpg")]})
    html = response.content.decode()
    assert response.status_code == 507
    assert response.templates[0].name == "photos/upload.html"
    assert response.context["form"].errors["files"] == [MESSAGE]
    assert MESSAGE in html and "Traceback" not in html and "OSError" not in html
    assert Photo.objects.count() == 0
    assert full_disk.files() == []  # neither the truncated file nor an empty one
    [storage_error, request_error] = _errors(caplog)  # for the operator's alerts
    assert storage_error.startswith("Upload not stored, the disk is full: photos/incoming/")
    assert storage_error.endswith("(No space left on device); nothing of it was kept")
    assert request_error == f"Insufficient Storage: {url}"
    # Room again: the same upload goes through.
    full_disk.free()
    with django_capture_on_commit_callbacks(execute=True):  # and the worker runs
        response = client.post(url, {"files": [_named(photo, "IMG_9.jpg")]})
    assert response.status_code == 302
    [stored] = Photo.objects.all()
    assert stored.status == "published"
    assert full_disk.files() == sorted(
        f.name
        for f in (
            stored.image,
            stored.grid_webp,
            stored.grid_jpeg,
            stored.large_webp,
            stored.large_jpeg,
        )
    )


def test_the_files_before_the_disk_filled_are_added_and_the_rest_not_tried(
    client, album, attendee, full_disk, django_capture_on_commit_callbacks
):
    client.force_login(attendee)
    small, large = image_bytes(size=(300, 200)), noise("JPEG", (700, 500), quality=95)
    full_disk.fill(room=64 * 1024)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        response = client.post(
            reverse("photos:upload", args=[album.pk]),
            {"files": [_named(small, "a.jpg"), _named(large, "b.jpg"), _named(small, "c.jpg")]},
        )
    assert response.status_code == 507
    assert response.context["form"].errors["files"] == [MESSAGE]
    [waiting] = Photo.objects.all()
    assert (waiting.upload_name, waiting.status) == ("a.jpg", "processing")
    assert full_disk.files() == [waiting.incoming_name]


def test_worker_out_of_room_refuses_the_photo_and_keeps_nothing(
    album, attendee, full_disk, django_capture_on_commit_callbacks, caplog
):
    data = noise("JPEG", (700, 500), quality=90)
    # The same photo once with room, to know how large its full-size image is.
    with django_capture_on_commit_callbacks(execute=True):
        measured = services.photo_add(album=album, uploaded_by=attendee, file=Upload(data, "a"))
    measured.refresh_from_db()
    full_size = measured.image.size
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo=measured, member=attendee)
    assert full_disk.files() == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo = services.photo_add(album=album, uploaded_by=attendee, file=Upload(data, "b.jpg"))
    assert [c for c in callbacks if not generations.is_bump(c)]
    full_disk.fill(room=full_size + 8 * 1024)  # the full-size image fits, not its renditions
    result = photo_process.call(photo_id=photo.pk, needs_approval=False, language="en")
    photo.refresh_from_db()
    assert result == "refused"
    assert (photo.status, photo.refusal) == (
        "refused",
        "b.jpg was not added: the site had no room left to store it; please add it again later.",
    )
    assert not photo.image and not photo.grid_jpeg
    assert full_disk.files() == []  # the image and renditions stored before the failure went
    [error] = _errors(caplog)
    assert error.startswith("Upload not stored, the disk is full: photos/")
    # A rendition is what did not fit, after the full-size image was stored (and removed).
    assert re.search(r"-(grid|large)\.(webp|jpg) \(No space left on device\)", error)


def _age(media_root, name: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(media_root / name, (then, then))


def test_sweep_keeps_the_bytes_of_photos_being_processed_and_fresh_ones(
    album, attendee, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # no worker: it stays processing
        waiting = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "IMG_1.jpg")
        )
    incoming = media_root / "photos" / "incoming"
    (incoming / "abandoned").write_bytes(b"half a photo")
    (incoming / "just-now").write_bytes(b"a request still running")
    _age(media_root, waiting.incoming_name, 72)  # the worker is down for three days
    _age(media_root, "photos/incoming/abandoned", 25)
    assert services.incoming_sweep() == "1 abandoned photo uploads removed"
    assert stored_files(media_root) == sorted([waiting.incoming_name, "photos/incoming/just-now"])


def test_a_body_spooled_to_a_full_temporary_disk_is_507_and_leaves_nothing(
    client, album, attendee, full_disk, settings, caplog
):
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE wait in a temporary file while the body is
    read, before any view runs; a full temporary folder is the same 507 (from the 500 handler,
    as the body is read by the CSRF check in production), with no temporary file left."""
    settings.FILE_UPLOAD_TEMP_DIR = str(full_disk.root)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.raise_request_exception = False
    client.force_login(attendee)
    full_disk.fill(room=64 * 1024)
    response = client.post(
        reverse("photos:upload", args=[album.pk]),
        {"files": [_named(noise("JPEG", (700, 500), quality=95), "IMG_9.jpg")]},
    )
    assert response.status_code == 507
    assert MESSAGE in response.content.decode()
    assert Photo.objects.count() == 0
    assert full_disk.files() == []  # the half-written temporary file went at once
    assert _errors(caplog)[0] == (
        "Upload not received, the temporary folder is full (No space left on device); "
        "nothing of it was kept"
    )
