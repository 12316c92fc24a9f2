"""What happens to an album photo after its upload, in the task worker: the decoding, which no
web request waits for."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image

from core import generations, images, uploads

from .models import Album, Photo, PhotoStatus

logger = logging.getLogger(__name__)

WORKER_SLOT_WAIT = images.WORKER_SLOT_WAIT


@task()
def photo_process(*, photo_id: int, needs_approval: bool, language: str) -> str:
    """Decodes a quarantined upload, stores it re-encoded without metadata with its renditions,
    and publishes it (or leaves it for approval); a file that cannot be decoded becomes REFUSED
    with the reason, for the uploader to see. The quarantined bytes go either way."""
    images.yield_to_the_web(photo_process)
    photo = (
        Photo.objects.filter(pk=photo_id, status=PhotoStatus.PROCESSING)
        .select_related("album__group")
        .first()
    )
    if photo is None:
        return "gone"  # deleted while it waited
    storage = photo.image.storage
    name = photo.upload_name or _("the file")
    with translation.override(language):
        try:
            stored = _store(photo, name)
        except FileNotFoundError:
            if not Photo.objects.filter(pk=photo.pk).exists():
                return "gone"  # deleted while it waited: its quarantine went with it
            return _refuse(  # lost (a restore without it, say): the uploader is told
                photo, images.refusal(name, _("the uploaded file was lost.")).messages[0]
            )
        except ValidationError as error:
            return _refuse(photo, error.messages[0])
        except uploads.StorageFull:  # logged at ERROR by the storage; what was written went
            return _refuse(
                photo,
                images.refusal(
                    name, _("the site had no room left to store it; please add it again later.")
                ).messages[0],
            )
        except Exception:
            logger.exception("Photo %s could not be processed", photo.pk)
            return _refuse(photo, images.refusal(name, _("it could not be read.")).messages[0])
    if not _settle(photo, stored, needs_approval=needs_approval):
        for field in FILE_FIELDS:  # deleted while it was decoded: these belong to no row
            storage.delete(getattr(photo, field).name)
    storage.delete(photo.incoming_name)
    return photo.status


def _settle(photo: Photo, fields: list[str], *, needs_approval: bool) -> bool:
    """Saves what was stored and the photo's real status, unless the row went meanwhile."""
    with transaction.atomic():
        if (
            not Photo.objects.select_for_update()
            .filter(pk=photo.pk, status=PhotoStatus.PROCESSING)
            .exists()
        ):
            return False
        photo.status = PhotoStatus.PENDING if needs_approval else PhotoStatus.PUBLISHED
        photo.upload_name = ""
        photo.save(update_fields=[*fields, "status", "upload_name"])
        if photo.status == PhotoStatus.PUBLISHED:
            generations.update(
                Album.objects.filter(pk=photo.album_id, cover_photo__isnull=True), cover_photo=photo
            )
    return True


FILE_FIELDS = ("image", "grid_webp", "grid_jpeg", "large_webp", "large_jpeg")


def _store(photo: Photo, name: str) -> list[str]:
    """Decodes the quarantined bytes (in a decode slot), stores the full-size image and the
    renditions; returns the fields set."""
    storage = photo.image.storage
    with (
        images.decode_slot(name, wait=WORKER_SLOT_WAIT),
        storage.open(photo.incoming_name, "rb") as upload,
    ):
        decoded = images.decode(upload, name, slot=False)
        full = images.fit_longest(decoded.image, images.FULL_SIZE)
        files = {"image": (f"{photo.key.hex}.jpg", images.encode(full, "JPEG", quality=88))}
        files.update(_renditions(photo, full))
    _save_all(photo, files)
    photo.width, photo.height = full.width, full.height
    if decoded.taken_at:
        photo.taken_at = timezone.make_aware(decoded.taken_at, photo.album.group.zone)
    return [*files, "width", "height", "taken_at", "grid_height", "large_width", "large_height"]


def _save_all(photo: Photo, files: dict[str, tuple[str, bytes]]) -> None:
    """Stores each file in its field; if one cannot be stored (a full disk), those stored
    before it are removed too, so no file is left that no row names."""
    saved = []
    try:
        for field, (filename, content) in files.items():
            getattr(photo, field).save(filename, ContentFile(content), save=False)
            saved.append(getattr(photo, field).name)
    except Exception:
        for name in saved:
            photo.image.storage.delete(name)
        raise


def _renditions(photo: Photo, full: Image.Image) -> dict[str, tuple[str, bytes]]:
    """Grid (400 px) and page (1600 px) renditions in WebP and JPEG; sets their sizes."""
    grid = images.resized(full, Photo.GRID_WIDTH)
    large = images.resized(full, Photo.LARGE_WIDTH)
    photo.grid_height = grid.height
    photo.large_width, photo.large_height = large.size
    stem = photo.key.hex
    return {
        "grid_webp": (f"{stem}-grid.webp", images.encode(grid, "WEBP", quality=72)),
        "grid_jpeg": (f"{stem}-grid.jpg", images.encode(grid, "JPEG", quality=75)),
        "large_webp": (f"{stem}-large.webp", images.encode(large, "WEBP", quality=80)),
        "large_jpeg": (f"{stem}-large.jpg", images.encode(large, "JPEG", quality=82)),
    }


def _refuse(photo: Photo, message: str) -> str:
    """REFUSED with the reason, the quarantined bytes deleted; logged for the operator."""
    logger.warning("Photo %s refused by the worker: %s", photo.pk, message)
    generations.update(
        Photo.objects.filter(pk=photo.pk, status=PhotoStatus.PROCESSING),
        status=PhotoStatus.REFUSED,
        refusal=message[:500],
    )
    photo.image.storage.delete(photo.incoming_name)
    return PhotoStatus.REFUSED


@task()
def make_renditions(*, photo_id: int) -> None:
    """Renditions remade from a stored photo's full-size image (photos stored before
    photo_process made them itself)."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.has_renditions or not photo.image:
        return
    with (
        images.decode_slot(photo.image.name, wait=WORKER_SLOT_WAIT),
        photo.image.open("rb") as stored,
        Image.open(stored, formats=["JPEG"]) as full,
    ):
        full.load()
        files = _renditions(photo, full)
    _save_all(photo, files)
    photo.save(update_fields=[*files, "grid_height", "large_width", "large_height"])
