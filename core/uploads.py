"""Storing uploaded files when the disk may be full, and sweeping what uploads left behind.

A write that fails half-way (no space left, a quota, a file too large for the filesystem)
leaves no partial or empty file: the storage removes what it wrote and raises StorageFull,
which the upload pages answer with 507 and a sentence next to the file field (and any other
page, through core.errors.server_error, with 507.html). Each such failure is logged at ERROR
on `potluck.uploads`, for the operator's alerts.

Uploaded bytes that wait for the task worker live in an `incoming/` folder; the apps register
a periodic job (core.hooks.periodic) that removes files there older than
POTLUCK_INCOMING_MAX_AGE_HOURS (default 24) that no row waits for any more.
"""

import errno
import logging
import os
from datetime import timedelta

from django.conf import settings
from django.core.files import storage, uploadhandler
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger("potluck.uploads")

# No space left, a quota used up, a file larger than the filesystem allows.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class StorageFull(Exception):
    """An upload could not be stored for lack of space; nothing of it was kept."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        self.name = name

    @property
    def message(self) -> str:
        return message()


def message() -> str:
    """What the uploader reads, next to the file field or on the 507 page."""
    return _(
        "The site has no room left to store files just now, so this upload was not saved "
        "and nothing of it was kept. Please try again later, and tell the organizers if it "
        "keeps happening."
    )


def is_disk_full(error: BaseException | None) -> bool:
    return isinstance(error, StorageFull) or (
        isinstance(error, OSError) and error.errno in DISK_FULL
    )


class FileSystemStorage(storage.FileSystemStorage):
    """Django's local storage, except that a write that fails removes the file it had begun
    (Django's leaves it, truncated or empty), and a full disk raises StorageFull."""

    def _save(self, name, content):
        path = self.path(name)
        ours = not os.path.lexists(path)  # save() chose a free name; never remove another's
        try:
            return super()._save(name, content)
        except Exception as error:
            if ours:
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass
                except OSError:
                    logger.exception("Could not remove the partial file %s", name)
            if isinstance(error, OSError) and error.errno in DISK_FULL:
                logger.error(
                    "Upload not stored, the disk is full: %s (%s); nothing of it was kept",
                    name,
                    os.strerror(error.errno),
                )
                raise StorageFull(name) from error
            raise


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    """Django's, for request bodies over FILE_UPLOAD_MAX_MEMORY_SIZE, except that a temporary
    file that cannot be written is deleted at once (not when the request is garbage
    collected), and a full temporary folder raises StorageFull: 507 from the 500 handler."""

    def receive_data_chunk(self, raw_data, start):
        try:
            self.file.write(raw_data)
        except OSError as error:
            self.file.close()  # a NamedTemporaryFile: closing it deletes it
            if error.errno in DISK_FULL:
                logger.error(
                    "Upload not received, the temporary folder is full (%s); nothing of it "
                    "was kept",
                    os.strerror(error.errno),
                )
                raise StorageFull(self.file_name or "") from error
            raise


# --- Sweeping what uploads left behind ---------------------------------------------------------


def max_age() -> timedelta:
    return timedelta(hours=getattr(settings, "POTLUCK_INCOMING_MAX_AGE_HOURS", 24))


def sweep(*, folder: str, keep=frozenset(), older_than: timedelta | None = None, now=None) -> int:
    """Removes the files directly in `folder` (default storage) last written before
    `older_than` ago, except those named in `keep`; returns how many went."""
    store = storage.default_storage
    folder = folder.rstrip("/")
    try:
        _folders, files = store.listdir(folder)
    except FileNotFoundError:
        return 0
    cutoff = (now or timezone.now()) - (older_than or max_age())
    removed = 0
    for filename in files:
        if filename in keep:
            continue
        name = f"{folder}/{filename}"
        try:
            if store.get_modified_time(name) >= cutoff:
                continue
            store.delete(name)
        except FileNotFoundError:
            continue  # gone meanwhile (its task finished)
        removed += 1
    if removed:
        logger.warning("Removed %d abandoned uploaded files from %s/", removed, folder)
    return removed
