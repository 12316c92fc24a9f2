"""Safe image handling for every uploaded image: decode with an allow-list, refuse bombs and
animations, make the pixels upright sRGB, re-encode with nothing of the uploaded bytes kept.

Pure Pillow, in the lowest app so that groups, events, photos and members all use it. What is
stored is a new JPEG (and WebP) made from the decoded pixels: no EXIF (GPS, camera serial), no
ICC profile, no XMP, no JPEG comment, no PNG text chunk.

Decoding is bounded: JPEGs are decoded at reduced size (libjpeg's DCT scaling,
`Image.draft`), PNG and WebP (which cannot be) have a stricter pixel limit, WebP a smaller byte
limit (its decoder is the slowest per byte), and at most POTLUCK_IMAGE_SLOTS decodes run at once
on a machine (decode_slot), so uploads can never take every core from the pages. Album photos
are only inspected in the web request (`inspect`: size and header, no pixels) and decoded by
the task worker, and so are avatars (members.tasks); only the admin's single images (covers,
speaker photos) are decoded in the request.
"""

import contextlib
import io
import os
import warnings
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.tasks.backends.immediate import ImmediateBackend
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from . import slots

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # JPEG: decoded at reduced size, so 50 MP costs what ~12 MP does
MAX_PIXELS_FULL_DECODE = 16_000_000  # PNG and WebP are decoded at full size
MAX_WEBP_BYTES = 5 * 1024 * 1024
FULL_SIZE = 2400  # longest side of the stored image
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
ORIENTATION = 0x0112
SLOT_WAIT_SECONDS = 20
# The task worker waits its turn for a decode slot rather than refusing an image for being busy.
WORKER_SLOT_WAIT = 600
# The worker shares the machine with the web servers: its decoding waits for their requests.
WORKER_NICENESS = 10
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass
class Decoded:
    image: Image.Image  # RGB, sRGB, upright, no info
    taken_at: datetime | None


def refusal(name: str, reason: str) -> ValidationError:
    """The one shape of every refusal: "<file> was not added: <reason>"."""
    return ValidationError(
        _("%(name)s was not added: %(reason)s") % {"name": name, "reason": reason},
        code="refused",
    )


# --- At most N decodes at once per machine -------------------------------------------------------


def slot_count() -> int:
    return slots.count_from("POTLUCK_IMAGE_SLOTS")


@contextlib.contextmanager
def decode_slot(name: str, *, wait: float = SLOT_WAIT_SECONDS):
    """One of the machine's decode slots (core.slots), held while pixels are decoded; refuses
    with a message when none frees up within `wait`."""
    try:
        with slots.machine_slot("image", slot_count(), wait=wait):
            yield
    except slots.Busy:
        raise refusal(
            name, _("the site is busy with other images; please try again shortly.")
        ) from None


_niced = False


def yield_to_the_web(task) -> None:
    """Once per worker process, lowers its CPU priority before it decodes (not in a web
    process, where the immediate backend of development and tests runs `task`)."""
    global _niced
    if _niced or isinstance(task.get_backend(), ImmediateBackend):
        return
    _niced = True
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)


# --- Decoding ----------------------------------------------------------------------------------


def _checked_size(upload, name: str) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, os.SEEK_END)
        upload.seek(0)
    if size > MAX_BYTES:
        raise refusal(name, _("it is larger than 20 MB."))
    if size == 0:
        raise refusal(name, _("the file is empty."))
    return size


@contextlib.contextmanager
def _refusing(name: str):
    """Pillow's errors and bomb warnings, turned into a refusal naming the file and the reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise refusal(name, _("it claims more than 50 megapixels.")) from None
    except UnidentifiedImageError:
        raise refusal(name, _("it is not a JPEG, PNG or WebP image.")) from None
    except (OSError, SyntaxError, ValueError, ImageCms.PyCMSError) as error:
        raise refusal(
            name, _("the image is damaged or incomplete (%(error)s).") % {"error": error}
        ) from None


def inspect(upload, name: str) -> None:
    """What can be refused without decoding a pixel (size, format, what the header claims), in
    a few milliseconds whatever the file; raises ValidationError naming the file and the reason.
    The upload is left at its start, to be stored as it came and decoded later."""
    length = _checked_size(upload, name)
    try:
        with _refusing(name), Image.open(upload, formats=ALLOWED_FORMATS) as source:
            _check_header(source, name, length)
    finally:
        upload.seek(0)


def decode(upload, name: str, *, longest: int = FULL_SIZE, slot: bool = True) -> Decoded:
    """Decodes an upload to at most `longest` pixels a side, or raises ValidationError naming
    the file and the reason. slot=False: the caller already holds a decode_slot."""
    _checked_size(upload, name)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise refusal(name, _("it is larger than 20 MB."))
    if not data:
        raise refusal(name, _("the file is empty."))
    with _refusing(name):
        source = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        _check_header(source, name, len(data))
        taken_at = _taken_at(source)
        with decode_slot(name) if slot else contextlib.nullcontext():
            image = _pixels(source, longest)
    return Decoded(image, taken_at)


def _check_header(source: Image.Image, name: str, length: int) -> None:
    """What the header claims, checked before a single pixel is decoded."""
    width, height = source.size
    pixels = width * height
    if pixels > MAX_PIXELS:
        raise refusal(
            name,
            _("it has %(mp)s megapixels; the limit is 50.") % {"mp": f"{pixels / 1e6:.0f}"},
        )
    if source.format != "JPEG" and pixels > MAX_PIXELS_FULL_DECODE:
        raise refusal(
            name,
            _(
                "it has %(mp)s megapixels; PNG and WebP images may have 16 at most "
                "(save it as JPEG)."
            )
            % {"mp": f"{pixels / 1e6:.0f}"},
        )
    if source.format == "WEBP" and length > MAX_WEBP_BYTES:
        raise refusal(name, _("WebP images may be 5 MB at most (save it as JPEG)."))
    if getattr(source, "is_animated", False) or getattr(source, "n_frames", 1) > 1:
        raise refusal(name, _("animated images are not accepted."))


def _pixels(source: Image.Image, longest: int) -> Image.Image:
    """Upright sRGB RGB pixels at most `longest` a side, with no metadata attached."""
    icc = source.info.get("icc_profile")
    if source.format == "JPEG":
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale, staying at least this large.
        source.draft(source.mode if source.mode == "CMYK" else "RGB", (longest, longest))
    source.load()
    upright = ImageOps.exif_transpose(source)
    # Bicubic after an integer box reduction: half of Lanczos's time on a 16 MP image, and
    # what is stored here is reduced again (renditions) with Lanczos.
    upright.thumbnail((longest, longest), Image.Resampling.BICUBIC, reducing_gap=2.0)
    srgb = _to_srgb(upright, icc)
    rgb = _to_rgb(srgb)
    rgb.info = {}
    return rgb


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Pixels described by an embedded colour profile converted to sRGB, the web's space."""
    if not icc:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode in ("RGBA", "LA", "P", "PA"):
            image = image.convert("RGBA")
            alpha = image.getchannel("A")
            converted = ImageCms.profileToProfile(
                image.convert("RGB"), profile, SRGB, outputMode="RGB"
            )
            converted.putalpha(alpha)
            return converted
        return ImageCms.profileToProfile(
            image, profile, SRGB, outputMode="RGB" if image.mode != "L" else "L"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: the pixels are taken as they are


def _taken_at(image: Image.Image) -> datetime | None:
    try:
        value = image.getexif().get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
        return datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if value else None
    except (ValueError, TypeError, KeyError, SyntaxError):
        return None


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 257).convert("L")
    return image.convert("RGB")


# --- Sizes and encoding ------------------------------------------------------------------------


def resized(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image.copy()
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def fit_longest(image: Image.Image, longest: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return copy


def cropped(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Exactly `size`, cut from the middle (covers and speaker photos have fixed shapes)."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def encode(image: Image.Image, fmt: str, *, quality: int, optimize: bool = True) -> bytes:
    """Pixels only: a fresh image with no info is saved, so no EXIF, ICC profile, XMP, JPEG
    comment or text chunk can be carried over (Pillow copies some of these from `info`).
    optimize=False skips the second Huffman pass: a few per cent larger, much faster on a big
    noisy picture, for what is encoded inside a web request."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=quality, optimize=optimize, progressive=True)
    else:
        clean.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()
