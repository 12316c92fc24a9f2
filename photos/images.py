"""Safe image handling: decode with an allow-list, refuse bombs and animations, re-encode.

Nothing of the uploaded bytes is kept: the stored image is a new JPEG made from the decoded
pixels, upright (EXIF orientation applied) and without any metadata (no GPS, no camera serial).
"""

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
FULL_SIZE = 2400  # longest side of the stored image
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
ORIENTATION = 0x0112


@dataclass
class Decoded:
    image: Image.Image  # RGB, upright
    taken_at: datetime | None


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(
        _("%(name)s was not added: %(reason)s") % {"name": name, "reason": reason},
        code="refused",
    )


def decode(upload, name: str) -> Decoded:
    """Decodes an upload or raises ValidationError naming the file and the reason."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(name, _("it is larger than 20 MB."))
    if size == 0:
        raise _refuse(name, _("the file is empty."))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(name, _("it is larger than 20 MB."))
    if not data:
        raise _refuse(name, _("the file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            width, height = source.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    name,
                    _("it has %(mp)s megapixels; the limit is 50.")
                    % {"mp": f"{width * height / 1e6:.0f}"},
                )
            if getattr(source, "is_animated", False) or getattr(source, "n_frames", 1) > 1:
                raise _refuse(name, _("animated images are not accepted."))
            taken_at = _taken_at(source)
            source.load()
            upright = ImageOps.exif_transpose(source)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _refuse(name, _("it claims more than 50 megapixels.")) from None
    except UnidentifiedImageError:
        raise _refuse(name, _("it is not a JPEG, PNG or WebP image.")) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise _refuse(
            name, _("the image is damaged or incomplete (%(error)s).") % {"error": error}
        ) from None
    return Decoded(_to_rgb(upright), taken_at)


def _taken_at(image: Image.Image) -> datetime | None:
    try:
        value = image.getexif().get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
        return datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if value else None
    except (ValueError, TypeError, KeyError, SyntaxError):
        return None


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def resized(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image.copy()
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def fit_longest(image: Image.Image, longest: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return copy


def encode(image: Image.Image, fmt: str, *, quality: int) -> bytes:
    """Pixels only: no EXIF, ICC or XMP is written."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()
