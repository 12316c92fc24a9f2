"""Safe image processing: refused files leave nothing behind; accepted ones keep no metadata."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from photos import services
from photos.models import Photo

from .conftest import Upload, image_bytes, stored_files

pytestmark = pytest.mark.django_db


def _png_header_only(width: int, height: int) -> bytes:
    """A 30,000 × 30,000 PNG that is only a few bytes: a header and an empty IDAT."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 64), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


CORPUS = {
    "text.jpg": (b"just some text, not a picture\n" * 20, "it is not a JPEG, PNG or WebP image."),
    "empty.png": (b"", "the file is empty."),
    "bomb.png": (_png_header_only(30_000, 30_000), "it claims more than 50 megapixels."),
    "script.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "it is not a JPEG, PNG or WebP image.",
    ),
    "animated.gif": (_animated("GIF"), "it is not a JPEG, PNG or WebP image."),
    "animated.webp": (_animated("WEBP"), "animated images are not accepted."),
    "huge.jpg": (b"\xff\xd8" + b"\x00" * (20 * 1024 * 1024 + 10), "it is larger than 20 MB."),
}


@pytest.mark.parametrize("name", CORPUS)
def test_refused_cleanly_with_nothing_stored(album, attendee, media_root, name):
    data, reason = CORPUS[name]
    with pytest.raises(ValidationError) as error:
        services.photo_add(album=album, uploaded_by=attendee, file=Upload(data, name))
    assert error.value.messages[0].startswith(f"{name} was not added: ")
    assert reason in error.value.messages[0]
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_html_behind_a_png_header_is_only_stored_re_encoded(
    album, attendee, media_root, django_capture_on_commit_callbacks
):
    html = b"<html><script>alert('xss')</script></html>"
    data = image_bytes("PNG", size=(300, 200)) + html
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(data, "trick.png")
        )
    photo.refresh_from_db()
    assert len(stored_files(media_root)) == 5
    for path in stored_files(media_root):
        content = (media_root / path).read_bytes()
        assert b"<script" not in content and b"<html" not in content
    with photo.image.open("rb") as stored:
        assert Image.open(stored).format == "JPEG"


def _exif_jpeg() -> bytes:
    """A JPEG whose camera rotated it: pixels lie on their side, EXIF says orientation 6."""
    image = Image.new("RGB", (800, 400), (200, 120, 60))
    image.paste((20, 80, 160), (0, 0, 100, 400))  # a band that ends up on top when upright
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif[0x010F] = "ExampleCam"  # make
    exif[0x0110] = "Model 7"  # model
    exif.get_ifd(0x8769)[36867] = "2026:10:13 19:05:00"  # DateTimeOriginal
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-12345"  # body serial number
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 42.0, 46.0)
    gps[3] = "W"
    gps[4] = (73.0, 59.0, 8.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def test_exif_orientation_applied_and_all_metadata_removed(
    album, attendee, media_root, group, django_capture_on_commit_callbacks
):
    source = _exif_jpeg()
    assert b"SERIAL-12345" in source and b"ExampleCam" in source
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(source, "cam.jpg")
        )
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (400, 800)  # upright: portrait
    assert photo.taken_at.astimezone(group.zone).strftime("%Y-%m-%d %H:%M") == "2026-10-13 19:05"
    files = stored_files(media_root)
    assert len(files) == 5  # full size + 4 renditions
    for path in files:
        content = (media_root / path).read_bytes()
        assert b"SERIAL-12345" not in content and b"ExampleCam" not in content
        assert b"Exif" not in content
        with Image.open(media_root / path) as stored:
            assert dict(stored.getexif()) == {}
            assert "exif" not in stored.info and "xmp" not in stored.info
            # The blue band is now along the top edge.
            top_middle = stored.convert("RGB").getpixel((stored.width // 2, 2))
            assert top_middle[2] > 120 and top_middle[0] < 80


def test_renditions_are_made_once(album, attendee, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "a.jpg")
        )
    photo.refresh_from_db()
    assert photo.has_renditions
    assert (photo.grid_height, photo.large_width, photo.large_height) == (267, 1200, 800)
    with photo.grid_webp.open("rb") as grid:
        assert Image.open(grid).size == (400, 267)
    with photo.large_webp.open("rb") as large:
        assert Image.open(large).format == "WEBP"


def test_uploads_need_approval_when_the_group_says_so(
    album, attendee, organizer, group, django_capture_on_commit_callbacks
):
    group.uploads_need_approval = True
    group.save()
    with django_capture_on_commit_callbacks(execute=True):
        pending = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "a.jpg")
        )
        by_organizer = services.photo_add(
            album=album, uploaded_by=organizer, file=Upload(image_bytes(), "b.jpg")
        )
    pending.refresh_from_db()
    by_organizer.refresh_from_db()
    assert (pending.status, by_organizer.status) == ("pending", "published")
    album.refresh_from_db()
    assert album.cover_photo == by_organizer  # a photo waiting for approval is no cover


def test_takedown_hides_at_once_and_organizer_decides(
    album, attendee, organizer, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "a.jpg")
        )
    services.photo_request_takedown(photo=photo, member=member)
    photo.refresh_from_db()
    assert (photo.status, photo.takedown_requested_by) == ("hidden", member)
    services.photo_set_status(photo=photo, status="published", by=organizer)
    photo.refresh_from_db()
    assert (photo.status, photo.takedown_requested_at) == ("published", None)


def test_delete_removes_the_files(album, attendee, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.photo_add(
            album=album, uploaded_by=attendee, file=Upload(image_bytes(), "a.jpg")
        )
    assert len(stored_files(media_root)) == 5
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo=photo, member=attendee)
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []
