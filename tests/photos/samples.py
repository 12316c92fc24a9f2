"""Images made with Pillow for the pipeline tests: metadata carrying a secret, and the worst
files the limits still accept. The files that come out the same each time are made once per
test process (functools.cache): bytes, which no test can change."""

import functools
import io
import os
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

SECRET = b"SECRET-7f3a9c"
SECRETS = [SECRET + suffix for suffix in (b"-COM", b"-GPS", b"-XMP", b"-TEXT", b"-ITXT")]


def _picture(size=(900, 600)) -> Image.Image:
    image = Image.new("RGB", size, (200, 120, 60))
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 3, size[1] // 2), fill=(20, 80, 160))
    return image


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SECRET-7f3a9c-CAM"  # make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (40.0, 42.0, 46.0), "W", (73.0, 59.0, 8.0)
    gps[0x1C] = (b"ASCII\x00\x00\x00" + SECRET + b"-GPS").decode()  # GPSAreaInformation
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description>' + SECRET + b"-XMP</rdf:Description></rdf:RDF>"
    b"</x:xmpmeta>"
)


@functools.cache
def dirty_jpeg() -> bytes:
    """A JPEG with a COM comment, EXIF with GPS, XMP and an ICC profile."""
    out = io.BytesIO()
    _picture().save(
        out, "JPEG", quality=90, comment=SECRET + b"-COM", exif=_exif(), xmp=XMP, icc_profile=_icc()
    )
    return out.getvalue()


@functools.cache
def dirty_png() -> bytes:
    """A PNG with tEXt, iTXt and zTXt chunks, EXIF, XMP and an ICC profile."""
    info = PngInfo()
    info.add_text("Comment", (SECRET + b"-TEXT").decode())
    info.add_itxt("Description", (SECRET + b"-ITXT").decode(), lang="en", tkey="Description")
    info.add_text("Author", (SECRET + b"-ZTXT").decode(), zip=True)
    info.add_text("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_icc())
    return out.getvalue()


@functools.cache
def dirty_webp() -> bytes:
    """A WebP with EXIF, XMP and an ICC profile."""
    out = io.BytesIO()
    _picture().save(out, "WEBP", quality=90, exif=_exif(), xmp=XMP, icc_profile=_icc())
    return out.getvalue()


@functools.cache
def png_bomb(width: int, height: int) -> bytes:
    """A real, fully decodable PNG of zeros: a few kB that unpack to width × height pixels."""
    row = b"\x00" * (1 + width * 3)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind, body):
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def noise(fmt: str, size: tuple[int, int], **save) -> bytes:
    """Random pixels: what compresses worst, so the most work per byte for a decoder."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def worst_jpeg() -> bytes:
    """50 megapixels (8660 × 5773), as large as 20 MB allows: noise over a gradient. The noise
    is uniform over 59-197 (a standard deviation of 40, as Image.effect_noise(size, 40) gave,
    and the same 20.5 MB at quality 85): effect_noise took 1.4 of the 2.1 s this took."""
    size = (8660, 5773)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    uniform = Image.frombytes("L", size, os.urandom(size[0] * size[1]))
    grain = uniform.point(lambda v: 59 + v * 138 // 255).convert("RGB")
    image = Image.blend(base, grain, 0.5)
    for quality in (85, 75, 65, 55):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= 20 * 1024 * 1024:
            return out.getvalue()
    raise AssertionError("could not fit 20 MB")
