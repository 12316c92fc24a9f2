"""Bringing past events' photos over from another platform: a folder or a ZIP, one folder per
event, every image through the same pipeline as an upload (photos.services.photo_add: checked,
quarantined, decoded by the worker, re-encoded without EXIF).

The rule that maps a folder to an event (the README says it too): the first folder of each
file's path names the event by
  1. its Meetup event id (`301000001`, from the UID `event_301000001@meetup.com` an import keeps),
  2. its slug on this site (`cooperatives-101-2026-03-10`), or
  3. its date in the group's time zone (`2026-03-10`), when one event starts that day.
Files outside such a folder, in a folder that names no event, or that are not images are
skipped and listed; an archive that looks like a bomb or reaches outside itself imports nothing.
"""

import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core import images
from events.models import Event
from groups.models import Group

from .services import album_for_event, photo_add

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_FILES = 5000
MAX_TOTAL_BYTES = 4 * 1024**3  # what the whole archive may unpack to
MAX_RATIO = 50  # a photo compresses by a few percent; 50× is a bomb, not a JPEG
DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class PhotoImportResult:
    added: int = 0
    skipped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # album id → the ids of its new photos, all without a description (alt text) yet
    undescribed: dict[int, list[int]] = field(default_factory=dict)


def _safe_parts(name: str) -> tuple[str, ...]:
    """The parts of an archive member's path, or ValidationError when it reaches outside."""
    if "\\" in name or "\x00" in name:
        raise ValidationError(_("%(name)s has an unsafe path.") % {"name": name})
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise ValidationError(_("%(name)s has an unsafe path.") % {"name": name})
    return tuple(part for part in path.parts if part not in ("", "."))


def _zip_members(archive: zipfile.ZipFile) -> list[tuple[tuple[str, ...], zipfile.ZipInfo]]:
    """Checks the whole archive before one byte is unpacked: paths, links, sizes, ratios."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise ValidationError(_("The archive holds more than %(n)d files.") % {"n": MAX_FILES})
    total = 0
    members = []
    for info in infos:
        parts = _safe_parts(info.filename)
        if info.is_dir() or not parts:
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ValidationError(_("%(name)s is a link.") % {"name": info.filename})
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ValidationError(_("The archive unpacks to more than 4 GB."))
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024**2:
            raise ValidationError(
                _("%(name)s unpacks to %(ratio)d times its size: refused as a ZIP bomb.")
                % {"name": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
            )
        members.append((parts, info))
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most what the pipeline accepts, whatever the header claimed."""
    with archive.open(info) as handle:
        return handle.read(images.MAX_BYTES + 1)


def _read_file(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(images.MAX_BYTES + 1)


def _folder_files(root: Path) -> list[tuple[tuple[str, ...], Path]]:
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise ValidationError(_("%(name)s is a link.") % {"name": path.relative_to(root)})
        if path.is_file():
            files.append((path.relative_to(root).parts, path))
        if len(files) > MAX_FILES:
            raise ValidationError(_("The folder holds more than %(n)d files.") % {"n": MAX_FILES})
    return files


def event_for_folder(name: str, group: Group) -> Event | None:
    """The event a folder names (the module docstring's rule), or None."""
    events = Event.objects.filter(group=group)
    if name.isdigit():
        found = events.filter(import_uid=f"event_{name}@meetup.com").first()
        if found:
            return found
    found = events.filter(slug__iexact=name).first()
    if found or not DATE_FOLDER.match(name):
        return found
    try:
        day = date.fromisoformat(name)
    except ValueError:
        return None
    start = datetime.combine(day, time.min, tzinfo=group.zone)
    on_day = list(events.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))[:2])
    return on_day[0] if len(on_day) == 1 else None


def photos_import(*, source: Path, group: Group, by) -> PhotoImportResult:
    """Adds every image of a folder or ZIP to its event's album, as `by` (an organizer)."""
    source = Path(source)
    if source.is_dir():
        entries = [
            (parts, lambda path=path: _read_file(path)) for parts, path in _folder_files(source)
        ]
        return _add_all(entries, group=group, by=by)
    if not zipfile.is_zipfile(source):
        raise ValidationError(
            _("%(path)s is neither a folder nor a ZIP archive.") % {"path": source}
        )
    with zipfile.ZipFile(source) as archive:
        entries = [
            (parts, lambda info=info: _read_member(archive, info))
            for parts, info in _zip_members(archive)
        ]
        return _add_all(entries, group=group, by=by)


def _add_all(entries, *, group: Group, by) -> PhotoImportResult:
    result = PhotoImportResult()
    events: dict[str, Event | None] = {}
    for parts, read in entries:
        shown = "/".join(parts)
        if len(parts) < 2:
            result.skipped.append(_("%(name)s: not in an event's folder") % {"name": shown})
            continue
        if PurePosixPath(parts[-1]).suffix.lower() not in IMAGE_SUFFIXES:
            result.skipped.append(_("%(name)s: not a photo") % {"name": shown})
            continue
        if parts[0] not in events:
            events[parts[0]] = event_for_folder(parts[0], group)
        event = events[parts[0]]
        if event is None:
            result.skipped.append(_("%(name)s: the folder names no event") % {"name": shown})
            continue
        album = album_for_event(event=event, by=by)
        try:
            photo = photo_add(album=album, uploaded_by=by, file=ContentFile(read(), name=parts[-1]))
        except ValidationError as error:
            result.refused.append(f"{shown}: {' '.join(error.messages)}")
            continue
        result.added += 1
        result.undescribed.setdefault(album.pk, []).append(photo.pk)
    return result
