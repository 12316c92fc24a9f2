"""Stored images outside the photo albums (group cover, event cover, speaker photo): the admin
form field that sends uploads through core.images, their WebP sibling and smaller renditions,
serving them through Potluck's own views from whatever storage is configured, and removing files
with their rows.

A stored image is `<folder>/<version>.jpg` with `<folder>/<version>.webp` beside it, and for
shapes with renditions (covers) `<folder>/<version>-600.jpg` and `.webp` too; the version is new
for every upload, so the URL that names it can be cached for a year (immutable). Images stored
before a rendition existed are served at full size under the rendition's URL.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import images

YEAR = 365 * 24 * 3600
CONTENT_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}


@dataclass(frozen=True)
class Shape:
    """What one use needs: an exact size (cropped from the middle), and the narrower widths
    stored beside it for srcset."""

    width: int
    height: int
    renditions: tuple[int, ...] = ()

    def height_at(self, width: int) -> int:
        return round(self.height * width / self.width)


COVER = Shape(1200, 600, renditions=(600,))
PORTRAIT = Shape(256, 256)


class ProcessedImage(ContentFile):
    """A re-encoded JPEG, ready for a model's ImageField, carrying its WebP sibling and its
    renditions (width → (JPEG, WebP))."""

    def __init__(self, jpeg: bytes, webp: bytes, renditions: dict | None = None):
        super().__init__(jpeg, name=f"{uuid.uuid4().hex}.jpg")
        self.webp = webp
        self.renditions = renditions or {}


def process(upload, shape: Shape) -> ProcessedImage:
    """Decode (allow-list, limits, upright, sRGB), crop to shape, encode JPEG and WebP."""
    name = getattr(upload, "name", "") or _("the file")
    decoded = images.decode(upload, name, longest=max(shape.width, shape.height) * 2)
    picture = images.cropped(decoded.image, (shape.width, shape.height))
    renditions = {}
    for width in shape.renditions:
        smaller = images.cropped(picture, (width, shape.height_at(width)))
        renditions[width] = (
            images.encode(smaller, "JPEG", quality=84),
            images.encode(smaller, "WEBP", quality=80),
        )
    return ProcessedImage(
        images.encode(picture, "JPEG", quality=84),
        images.encode(picture, "WEBP", quality=80),
        renditions,
    )


class StoredImageInput(forms.ClearableFileInput):
    """The admin's file input, whose "Currently" link opens the image as Potluck serves it
    (files are never served from MEDIA_URL); current_url is set per form by the admin."""

    template_name = "admin/widgets/stored_image_input.html"
    current_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["current_url"] = self.current_url
        return context


class SafeImageField(forms.FileField):
    """An admin upload that is stored only as re-encoded pixels; refusals show at the field."""

    def __init__(self, *, shape: Shape, **kwargs):
        self.shape = shape
        kwargs.setdefault(
            "widget", StoredImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "JPEG, PNG or WebP, up to 20 MB. Cropped to %(width)d × %(height)d; location "
                "and camera details are removed."
            )
            % {"width": shape.width, "height": shape.height},
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return process(upload, self.shape)


# --- Storage -----------------------------------------------------------------------------------


def version_of(name: str) -> str:
    return PurePosixPath(name).stem


def sibling(name: str, ext: str, width: int | None = None) -> str:
    """The stored file beside `name` in another format, or at a rendition's width."""
    path = PurePosixPath(name)
    stem = f"{path.stem}-{width}" if width else path.stem
    return str(path.with_name(f"{stem}.{ext}"))


# The files beside a stored JPEG, as (ext, width) for sibling(): its WebP, then every rendition
# any shape stores, so copying and removal need no shape (a missing file is skipped).
SIBLINGS = [("webp", None)] + [
    (ext, width)
    for width in sorted({w for shape in (COVER, PORTRAIT) for w in shape.renditions})
    for ext in CONTENT_TYPES
]


def names_of(name: str) -> list[str]:
    """The stored files of one image: the JPEG, its WebP and their renditions."""
    if not name:
        return []
    return [name, *(sibling(name, ext, width) for ext, width in SIBLINGS)]


def delete_after_commit(storage, names) -> None:
    """Removes files once the transaction that dropped their row has committed."""
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: [storage.delete(n) for n in names])


def store_sibling(fieldfile, processed) -> None:
    """Stores the WebP and the renditions beside a just-saved ProcessedImage's JPEG."""
    if isinstance(processed, ProcessedImage) and fieldfile:
        storage, name = fieldfile.storage, fieldfile.name
        files = {sibling(name, "webp"): processed.webp}
        for width, (jpeg, webp) in processed.renditions.items():
            files[sibling(name, "jpg", width)] = jpeg
            files[sibling(name, "webp", width)] = webp
        stored = [name]
        try:
            for path, content in files.items():
                stored.append(storage.save(path, ContentFile(content)))
        except Exception:
            # A full disk (core.uploads.StorageFull): the admin's transaction rolls back the
            # row, so nothing of this image stays, the JPEG saved with the row neither.
            for path in stored:
                storage.delete(path)
            raise


class StoredImagesAdminMixin:
    """Admin forms whose image fields go through the pipeline; replaced files go after commit.

    `image_shapes` maps field name → Shape. Between save_form and save_related the form
    carries `form.images_before_save`: field → the file name stored before this save.
    """

    image_shapes: dict = {}
    # Field → the model's property with the URL Potluck serves the current image at.
    image_urls: dict = {}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for field, prop in self.image_urls.items():
            if obj is not None and field in form.base_fields and getattr(obj, field):
                form.base_fields[field].widget.current_url = getattr(obj, prop)
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.image_shapes:
            return SafeImageField(
                shape=self.image_shapes[db_field.name],
                required=not db_field.blank,
                label=db_field.verbose_name.capitalize(),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        old = {}
        if change and obj.pk is not None:
            row = type(obj)._default_manager.filter(pk=obj.pk).values(*self.image_shapes).first()
            old = row or {}
        form.images_before_save = old
        return obj

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        for field in self.image_shapes:
            current = getattr(obj, field)
            old = form.images_before_save.get(field) or ""
            if current.name == old:
                continue
            store_sibling(current, form.cleaned_data.get(field))
            delete_after_commit(current.storage, names_of(old))


def delete_files_receiver(*fields: str):
    """A post_delete receiver removing the named image fields' files after commit.

    A receiver rather than a service step because rows also go by cascade (a group takes its
    events, an event its photos' album) and by the admin's bulk delete, neither of which calls a
    service or delete(); connected with a sender, so other models keep their fast deletes.
    """

    def receiver(sender, instance, **kwargs):
        for field in fields:
            fieldfile = getattr(instance, field)
            if fieldfile:
                delete_after_commit(fieldfile.storage, names_of(fieldfile.name))

    return receiver


# --- Serving -----------------------------------------------------------------------------------


def _rendition_width(fieldfile, version: str, shape: Shape | None) -> int | None:
    """0 for the full-size image, a rendition's width, or None when the URL names neither."""
    if not fieldfile:
        return None
    stored = version_of(fieldfile.name)
    if version == stored:
        return 0
    for width in shape.renditions if shape else ():
        if version == f"{stored}-{width}":
            return width
    return None


def image_response(
    request, fieldfile, version: str, ext: str, *, public: bool, shape: Shape | None = None
) -> HttpResponse:
    """The stored file named by a versioned URL, read through the storage API (local disk or a
    private bucket alike); public ones are cacheable for a year, since a new image has a new
    version and so a new URL. `shape` allows its renditions' URLs; an image stored before its
    rendition existed answers them with the full-size file."""
    width = _rendition_width(fieldfile, version, shape)
    if width is None or ext not in CONTENT_TYPES:
        raise Http404
    etag = f'"{version}.{ext}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        storage = fieldfile.storage
        name = fieldfile.name if ext == "jpg" else sibling(fieldfile.name, ext)
        if width and storage.exists(sibling(fieldfile.name, ext, width)):
            name = sibling(fieldfile.name, ext, width)
        if not storage.exists(name):
            raise Http404
        with storage.open(name, "rb") as stored:  # a few hundred kB at most
            response = HttpResponse(stored.read(), content_type=CONTENT_TYPES[ext])
        response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    if public:
        patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    else:
        patch_cache_control(response, private=True, max_age=3600)
        patch_vary_headers(response, ["Cookie"])
    return response


def image_url(viewname: str, fieldfile, ext: str, *, width: int | None = None, **kwargs) -> str:
    """The versioned URL of a stored image, or of its rendition ("" when there is none)."""
    from django.urls import reverse

    if not fieldfile:
        return ""
    version = version_of(fieldfile.name)
    if width:
        version = f"{version}-{width}"
    return reverse(viewname, kwargs={**kwargs, "version": version, "ext": ext})


def image_srcset(viewname: str, fieldfile, ext: str, shape: Shape, **kwargs) -> str:
    """A srcset naming the renditions and the full-size image by their widths."""
    if not fieldfile:
        return ""
    candidates = [
        (w, image_url(viewname, fieldfile, ext, width=w, **kwargs)) for w in shape.renditions
    ]
    candidates.append((shape.width, image_url(viewname, fieldfile, ext, **kwargs)))
    return ", ".join(f"{url} {w}w" for w, url in candidates)
