from django.core.files.base import ContentFile
from django.tasks import task
from PIL import Image

from groups import images

from .models import Photo


@task()
def make_renditions(*, photo_id: int) -> None:
    """Grid (400 px) and page (1600 px) renditions in WebP and JPEG, made once, after upload."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.has_renditions:
        return
    with (
        images.decode_slot(photo.image.name, wait=600),
        photo.image.open("rb") as stored,
        Image.open(stored, formats=["JPEG"]) as full,
    ):
        full.load()
        grid = images.resized(full, Photo.GRID_WIDTH)
        large = images.resized(full, Photo.LARGE_WIDTH)
    stem = photo.key.hex
    photo.grid_webp.save(
        f"{stem}-grid.webp", ContentFile(images.encode(grid, "WEBP", quality=72)), save=False
    )
    photo.grid_jpeg.save(
        f"{stem}-grid.jpg", ContentFile(images.encode(grid, "JPEG", quality=75)), save=False
    )
    photo.large_webp.save(
        f"{stem}-large.webp", ContentFile(images.encode(large, "WEBP", quality=80)), save=False
    )
    photo.large_jpeg.save(
        f"{stem}-large.jpg", ContentFile(images.encode(large, "JPEG", quality=82)), save=False
    )
    photo.grid_height = grid.height
    photo.large_width, photo.large_height = large.size
    photo.save(
        update_fields=[
            "grid_webp", "grid_jpeg", "large_webp", "large_jpeg",
            "grid_height", "large_width", "large_height",
        ]
    )  # fmt: skip
