"""Photo weight and upload cost: grid renditions should stay small, an album page light.

Run with `make bench` or `DJANGO_DEBUG=1 uv run python bench/photos.py`. In a throwaway SQLite
database and media folder (a temporary directory, removed afterwards) a member who went to an
event uploads 60 generated 3000×2000 camera-like JPEGs through photos.services.photo_add (the
request's part: header checks, the bytes kept in quarantine); the photo_process task then runs
for each, as the worker would (decode, re-encode, renditions). Reports the sizes of what is
stored, the bytes a browser fetches for the album page of 60 photos (HTML, CSS, scripts and the
60 grid WebP images, fetched through django.test.Client), and the time of photo_add and of the
task per photo. Exits 1 when the median grid WebP is 40 kB (40,000 bytes) or more.
"""

import gzip
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = 60  # one album page: photos.views.PHOTOS_PER_PAGE
SIZE = (3000, 2000)
GRID_LIMIT = 40_000  # bytes, for each grid rendition (WebP fails the run, JPEG is reported)
SEED = 20260601


# --- camera-like pictures ---------------------------------------------------------------------


def _colour(rng: random.Random, lo: int = 0, hi: int = 255) -> tuple[int, int, int]:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def photograph(rng: random.Random) -> tuple[bytes, str]:
    """A 3000×2000 JPEG that compresses like a photo. Returns (bytes, what it is).

    The scene is a "dead leaves" picture: many overlapping shapes whose sizes follow a power
    law, which gives the sharp edges at every scale and the 1/f spectrum of real photographs.
    On top: a background out of focus, uneven light, a fine surface texture and sensor grain.
    """
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    width, height = SIZE
    shapes = rng.choice((2_000, 5_000, 10_000, 20_000))
    smallest = rng.choice((3, 6, 12))
    largest = 900
    spread = rng.randint(20, 80)
    palette = [rng.randint(40, 220) for _ in range(3)]
    sharp = Image.new("RGB", SIZE, tuple(palette))
    draw = ImageDraw.Draw(sharp)
    for _ in range(shapes):
        # Radius with density r^-3 between smallest and largest (inverse of its CDF).
        u = rng.random()
        r = (smallest**-2 - u * (smallest**-2 - largest**-2)) ** -0.5
        x, y = rng.uniform(-r, width + r), rng.uniform(-r, height + r)
        fill = tuple(max(0, min(255, round(rng.gauss(c, spread)))) for c in palette)
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        else:
            aspect = rng.uniform(0.3, 1.5)
            draw.rectangle((x - r, y - r * aspect, x + r, y + r * aspect), fill=fill)
    # Depth of field: the top (far) part blurred, fading into the sharp bottom (near) part.
    blur = rng.choice((0, 0, 1, 3, 6))
    ramp = Image.linear_gradient("L").resize(SIZE)  # black at the top, white at the bottom
    scene = (
        Image.composite(sharp, sharp.filter(ImageFilter.GaussianBlur(blur)), ramp)
        if blur
        else sharp
    )
    # Uneven light: brighter on one side.
    low = rng.randint(150, 220)
    light = Image.linear_gradient("L").rotate(rng.choice((90, 180, 270))).resize(SIZE)
    light = light.point([low + v * (255 - low) // 255 for v in range(256)])
    scene = ImageChops.multiply(scene, Image.merge("RGB", (light, light, light)))
    # A fine surface texture (fabric, grass, brick) and the grain of a phone's sensor.
    scale = rng.choice((2, 3, 4))
    texture_strength = rng.uniform(0.03, 0.15)
    texture = Image.merge(
        "RGB", [Image.effect_noise((width // scale, height // scale), 64) for _ in range(3)]
    ).resize(SIZE, Image.Resampling.BICUBIC)
    scene = Image.blend(scene, texture, texture_strength)
    grain = Image.effect_noise(SIZE, rng.uniform(10, 25)).convert("RGB")
    scene = Image.blend(scene, grain, 0.06)
    quality = rng.choice((85, 90, 92, 95))
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=quality)
    what = (
        f"{shapes} shapes from {smallest} px, colour spread {spread}, blur {blur}, "
        f"texture 1/{scale} at {texture_strength:.2f}, q{quality}"
    )
    return out.getvalue(), what


# --- the album page as a browser fetches it -----------------------------------------------------


class Resources(HTMLParser):
    """What a browser that takes WebP fetches from a page: stylesheets, scripts, the WebP
    source of each <picture> (not its JPEG fallback), plus the icon, listed apart."""

    def __init__(self):
        super().__init__()
        self.stylesheets, self.scripts, self.webp, self.fallbacks, self.icons = [], [], [], [], []
        self._in_picture_with_webp = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").split()
        if tag == "link" and "stylesheet" in rel:
            self.stylesheets.append(attrs["href"])
        elif tag == "link" and "icon" in rel:
            self.icons.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "picture":
            self._in_picture_with_webp = False
        elif tag == "source" and attrs.get("type") == "image/webp":
            # The grid's source has one candidate; with several, a browser takes one of them.
            self.webp.append(attrs["srcset"].split(",")[0].split()[0])
            self._in_picture_with_webp = True
        elif tag == "img":
            (self.fallbacks if self._in_picture_with_webp else self.webp).append(attrs["src"])

    def handle_endtag(self, tag):
        if tag == "picture":
            self._in_picture_with_webp = False


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, not 200")
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- the run --------------------------------------------------------------------------------


def setup(tmp: Path) -> None:
    """Django on a fresh SQLite file and media folder; tasks queued, not run, so each part of
    the work can be timed on its own."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["POTLUCK_MEDIA_ROOT"] = str(tmp / "media")
    os.environ["POTLUCK_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert str(settings.DATABASES["default"]["NAME"]).startswith(str(tmp))
    assert Path(settings.MEDIA_ROOT).is_relative_to(tmp)
    call_command("migrate", verbosity=0, interactive=False)


def upload_all(rng: random.Random) -> tuple[list, dict]:
    """A member who went to the event adds PHOTOS pictures; then the worker's task runs."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from events import services as event_services
    from events.models import Event, EventStatus
    from groups.models import Group
    from photos import services
    from photos.tasks import photo_process

    group = Group.objects.create(
        name="Bench Cooperative Circle",
        slug="bench",
        city="New York, NY",
        time_zone="America/New_York",
    )
    starts = timezone.now() + timedelta(hours=2)
    event = Event.objects.create(
        group=group,
        title="Bench picnic",
        slug="bench-picnic",
        status=EventStatus.PUBLISHED,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    member = get_user_model().objects.create_user(email="bench@example.org")
    event_services.rsvp_set(event=event, member=member, going=True)
    album = services.album_for_event(event=event, by=member)

    photos, times = [], {"generate": [], "photo_add": [], "renditions": [], "source": []}
    for i in range(PHOTOS):
        start = time.perf_counter()
        data, what = photograph(rng)
        times["generate"].append(time.perf_counter() - start)
        times["source"].append(len(data))
        upload = SimpleUploadedFile(f"IMG_{i:04d}.jpg", data, content_type="image/jpeg")
        start = time.perf_counter()
        photo = services.photo_add(
            album=album, uploaded_by=member, file=upload, alt_text=f"Bench photo {i}: {what}"
        )
        times["photo_add"].append(time.perf_counter() - start)
        photos.append(photo)
        if (i + 1) % 10 == 0:
            print(f"{i + 1}/{PHOTOS} uploaded", file=sys.stderr, flush=True)
    for photo in photos:
        start = time.perf_counter()
        photo_process.call(photo_id=photo.pk, needs_approval=False, language="en")
        times["renditions"].append(time.perf_counter() - start)
    for photo in photos:
        photo.refresh_from_db()
        if not photo.has_renditions:
            raise SystemExit(f"photo {photo.pk} has no renditions after the task ran")
    return photos, times


def kb(n: float) -> str:
    return f"{n / 1000:,.1f} kB"


def size_table(photos, sources: list[int]) -> float:
    """Prints median and max bytes per stored file; returns the median grid WebP."""
    rows = [
        ("uploaded JPEG (3000×2000)", sources, None),
        ("stored full JPEG (2400 px)", [p.image.size for p in photos], None),
        ("large WebP (1600 px)", [p.large_webp.size for p in photos], None),
        ("large JPEG (1600 px)", [p.large_jpeg.size for p in photos], None),
        ("grid WebP (400 px)", [p.grid_webp.size for p in photos], GRID_LIMIT),
        ("grid JPEG (400 px)", [p.grid_jpeg.size for p in photos], GRID_LIMIT),
    ]
    head = f"{'file, per photo':<28} {'median':>11} {'max':>11} {'target':>10} {'over':>5}"
    print(head)
    print("-" * len(head))
    for name, sizes, limit in rows:
        over = "" if limit is None else str(sum(s >= limit for s in sizes))
        target = "" if limit is None else f"< {kb(limit)}"
        print(
            f"{name:<28} {kb(statistics.median(sizes)):>11} {kb(max(sizes)):>11} "
            f"{target:>10} {over:>5}"
        )
    return statistics.median(p.grid_webp.size for p in photos)


def page_table(album) -> None:
    """The album page of PHOTOS photos, as a browser that takes WebP fetches it."""
    from django.test import Client

    client = Client()
    html = fetch(client, album.get_absolute_url())
    found = Resources()
    found.feed(html.decode())
    if len(found.webp) != PHOTOS:
        raise SystemExit(f"the album page shows {len(found.webp)} WebP images, not {PHOTOS}")
    css = [fetch(client, url) for url in found.stylesheets]
    js = [fetch(client, url) for url in found.scripts]
    images = [fetch(client, url) for url in found.webp]
    fallbacks = [fetch(client, url) for url in found.fallbacks]
    icons = [fetch(client, url) for url in found.icons]
    total = len(html) + sum(map(len, css + js + images))

    head = (
        f"{'album page of ' + str(PHOTOS) + ' photos':<34} {'files':>5} {'bytes':>12} {'gzip':>11}"
    )
    print(head)
    print("-" * len(head))
    for name, bodies in (
        ("HTML", [html]),
        ("CSS", css),
        ("JavaScript", js),
        ("grid WebP images", images),
    ):
        zipped = sum(len(gzip.compress(b)) for b in bodies) if name != "grid WebP images" else 0
        print(
            f"{name:<34} {len(bodies):>5} {sum(map(len, bodies)):>12,} "
            f"{f'{zipped:,}' if zipped else '':>11}"
        )
    print("-" * len(head))
    print(f"{'total (HTML + CSS + JS + WebP)':<34} {'':>5} {total:>12,}  = {kb(total)}")
    print()
    print(
        f"not counted: icon {sum(map(len, icons)):,} bytes (fetched once per site); "
        f"JPEG fallbacks {sum(map(len, fallbacks)):,} bytes (only browsers without WebP). "
        f"The grid images are loading=lazy: a browser fetches those near the viewport first."
    )


def main() -> int:
    start = time.perf_counter()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="potluck-bench-photos-") as tmp:
        setup(Path(tmp))
        photos, times = upload_all(rng)
        print()
        median_grid_webp = size_table(photos, times["source"])
        print()
        page_table(photos[0].album)
        print()
        head = f"{'time per photo':<36} {'median':>9} {'max':>9}"
        print(head)
        print("-" * len(head))
        for name, key in (
            ("photo_add (checks, quarantine)", "photo_add"),
            ("worker task (decode, 5 files)", "renditions"),
            ("generating the test picture", "generate"),
        ):
            values = times[key]
            print(
                f"{name:<36} {statistics.median(values) * 1000:>6.0f} ms "
                f"{max(values) * 1000:>6.0f} ms"
            )
        add_and_render = [
            a + r for a, r in zip(times["photo_add"], times["renditions"], strict=True)
        ]
        print(
            f"{'photo_add + worker task (immediate)':<36} "
            f"{statistics.median(add_and_render) * 1000:>6.0f} ms "
            f"{max(add_and_render) * 1000:>6.0f} ms"
        )
    print(f"\nwhole run {time.perf_counter() - start:.1f}s")
    if median_grid_webp >= GRID_LIMIT:
        print(f"FAIL: median grid WebP {kb(median_grid_webp)} >= {kb(GRID_LIMIT)}")
        return 1
    print(f"OK: median grid WebP {kb(median_grid_webp)} < {kb(GRID_LIMIT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
