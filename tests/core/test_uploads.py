"""A full disk during an upload: a clear 507, no partial or empty file left behind, logged at
ERROR; and the periodic sweep of uploads that nothing waits for any more."""

import errno
import io
import logging
import os
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.files import storage as django_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone

from core import uploads
from core.hooks import periodic

MESSAGE = (
    "The site has no room left to store files just now, so this upload was not saved and "
    "nothing of it was kept. Please try again later, and tell the organizers if it keeps "
    "happening."
)


def _errors(caplog) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "potluck.uploads" and r.levelno >= 40
    ]


def test_the_default_storage_is_the_one_that_cleans_up():
    assert isinstance(
        storages.create_storage(django_settings.STORAGES["default"]), uploads.FileSystemStorage
    )


def test_a_write_that_fills_a_real_disk_leaves_nothing_and_says_so(full_disk, caplog):
    """A real ENOSPC from a 2 MB tmpfs: Django's own storage leaves the truncated file."""
    full_disk.fill(room=64 * 1024)
    with pytest.raises(uploads.StorageFull) as raised:
        default_storage.save("photos/incoming/abc", ContentFile(os.urandom(300 * 1024)))
    assert raised.value.__cause__.errno == errno.ENOSPC
    assert raised.value.message == MESSAGE
    assert full_disk.files() == []  # no truncated file, no empty one
    assert _errors(caplog) == [
        "Upload not stored, the disk is full: photos/incoming/abc (No space left on device); "
        "nothing of it was kept"
    ]
    # What was written went, so a small file still fits; once there is room, a large one too.
    assert default_storage.save("photos/incoming/small", ContentFile(b"x" * 1000))
    full_disk.free()
    name = default_storage.save("photos/incoming/abc", ContentFile(os.urandom(300 * 1024)))
    assert (name, default_storage.size(name)) == ("photos/incoming/abc", 300 * 1024)


def test_a_large_upload_spooled_to_another_disk_leaves_nothing(full_disk):
    """Uploads over 2.5 MB wait in a temporary file elsewhere; moving one across disks is a
    copy, which fails on the full disk half-way."""
    full_disk.fill(room=64 * 1024)
    with TemporaryUploadedFile("big.jpg", "image/jpeg", 300 * 1024, None) as upload:
        upload.write(os.urandom(300 * 1024))
        upload.seek(0)
        with pytest.raises(uploads.StorageFull):
            default_storage.save("photos/incoming/big", upload)
    assert full_disk.files() == []


class _FailingFile:
    """A file whose second write fails as a full disk, a quota or a size limit would."""

    def __init__(self, real, code):
        self.real, self.code, self.writes = real, code, 0

    def write(self, data):
        self.writes += 1
        if self.writes > 1:
            raise OSError(self.code, os.strerror(self.code))
        return self.real.write(data)

    def close(self):
        self.real.close()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_each_kind_of_full_is_storage_full_with_the_partial_file_removed(
    settings, tmp_path, monkeypatch, code
):
    settings.MEDIA_ROOT = tmp_path
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda fd, *a, **k: _FailingFile(real_fdopen(fd, *a, **k), code)
    )
    content = ContentFile(b"x" * (3 * 64 * 1024))  # three chunks: the first is written
    with pytest.raises(uploads.StorageFull):
        default_storage.save("avatars/incoming/abc", content)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []


def test_another_write_error_removes_the_partial_file_and_is_not_called_full(
    settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        os, "fdopen", lambda fd, *a, **k: _FailingFile(real_fdopen(fd, *a, **k), errno.EIO)
    )
    with pytest.raises(OSError) as raised:
        default_storage.save("x/abc", ContentFile(b"x" * (3 * 64 * 1024)))
    monkeypatch.undo()
    assert not isinstance(raised.value, uploads.StorageFull)
    assert raised.value.errno == errno.EIO
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_existing_file_is_never_removed_for_a_failed_write(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "keep.jpg").write_bytes(b"mine")

    def racing_save(self, name, content):
        """Another process took the name first: Django's _save moves on to another name."""
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(django_storage.FileSystemStorage, "_save", racing_save)
    with pytest.raises(uploads.StorageFull):
        uploads.FileSystemStorage()._save("keep.jpg", ContentFile(b"x"))
    monkeypatch.undo()
    assert (tmp_path / "keep.jpg").read_bytes() == b"mine"


@pytest.mark.django_db
def test_a_page_that_stores_on_a_full_disk_answers_507(client, settings, full_disk, caplog):
    """Any other page (the admin's images): the 500 handler tells a full disk apart."""
    settings.ROOT_URLCONF = "tests.core.urls_disk_full"
    client.raise_request_exception = False
    full_disk.fill(room=64 * 1024)
    response = client.get("/test-only/store/")
    html = response.content.decode()
    assert response.status_code == 507
    assert html == render_to_string("507.html")
    assert MESSAGE in html
    assert "StorageFull" not in html and "covers/big.bin" not in html
    assert full_disk.files() == []
    assert len(_errors(caplog)) >= 1


# --- The sweep ---------------------------------------------------------------------------------


def _file(root, name: str, *, hours_old: float) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"bytes")
    then = time.time() - hours_old * 3600
    os.utime(path, (then, then))


def test_sweep_removes_old_files_only_and_keeps_what_is_waited_for(settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path
    _file(tmp_path, "photos/incoming/old", hours_old=25)
    _file(tmp_path, "photos/incoming/older", hours_old=100)
    _file(tmp_path, "photos/incoming/waited-for", hours_old=100)
    _file(tmp_path, "photos/incoming/fresh", hours_old=23)
    _file(tmp_path, "photos/kept.jpg", hours_old=100)  # outside incoming/: never touched
    with caplog.at_level(logging.INFO, logger="potluck.uploads"):
        removed = uploads.sweep(folder="photos/incoming/", keep={"waited-for"})
    assert removed == 2
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "photos/incoming/fresh",
        "photos/incoming/waited-for",
        "photos/kept.jpg",
    ]
    assert [r.getMessage() for r in caplog.records if r.name == "potluck.uploads"] == [
        "Removed 2 abandoned uploaded files from photos/incoming/"
    ]


def test_sweep_threshold_is_a_setting_and_a_missing_folder_is_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.POTLUCK_INCOMING_MAX_AGE_HOURS = 2
    assert uploads.sweep(folder="photos/incoming") == 0
    _file(tmp_path, "photos/incoming/three-hours", hours_old=3)
    _file(tmp_path, "photos/incoming/one-hour", hours_old=1)
    assert uploads.sweep(folder="photos/incoming") == 1
    later = timezone.now() + timedelta(hours=2)
    assert uploads.sweep(folder="photos/incoming", now=later) == 1


@pytest.mark.django_db
def test_the_sweeps_run_with_the_periodic_jobs(settings, tmp_path):
    from photos.services import incoming_sweep

    settings.MEDIA_ROOT = tmp_path
    assert incoming_sweep in list(periodic)
    _file(tmp_path, "photos/incoming/abandoned", hours_old=48)
    _file(tmp_path, "photos/incoming/fresh", hours_old=1)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert "1 abandoned photo uploads removed" in lines
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "photos/incoming/fresh"
    ]


def test_an_admin_image_whose_siblings_do_not_fit_leaves_no_file(full_disk):
    """A cover is stored as a JPEG with the row, then its WebP and renditions beside it; when
    one of those does not fit, the admin's transaction rolls the row back, so the JPEG goes
    too."""
    from PIL import Image

    from core import imagefiles

    picture = Image.frombytes("RGB", (1200, 600), os.urandom(1200 * 600 * 3))
    upload = io.BytesIO()
    picture.save(upload, "PNG")
    upload.name = "cover.png"
    upload.seek(0)
    processed = imagefiles.process(upload, imagefiles.COVER)
    name = default_storage.save(f"events/{processed.name}", processed)
    full_disk.fill(room=16 * 1024)

    stored = SimpleNamespace(storage=default_storage, name=name)  # what a field file offers
    with pytest.raises(uploads.StorageFull):
        imagefiles.store_sibling(stored, processed)
    assert full_disk.files() == []
