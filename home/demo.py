"""The demo's pictures: drawn by code with Pillow (no downloads, no bundled files) and stored
through the same pipelines as uploads, so the demo shows what organizers and members will see.

Here, above groups, events, photos and members, because it calls their services. Each picture
is made only when its field is empty (or the album has no photos), so loading the demo again
changes nothing.
"""

import hashlib
import io
import math
import random

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from core import imagefiles
from events.models import Event, Speaker
from groups.demo import DEMO_ORGANIZER_EMAIL
from groups.models import Group, Role
from members.services import member_set_avatar
from photos.services import album_for_event, photo_add

# Warm tones around the site's accent (static/css/potluck.css: --accent #9a3d12, --bg #fbf8f3).
PALETTE = ["#9a3d12", "#c4622d", "#e08e45", "#f0a071", "#f6c99b", "#7a2e0e", "#d9a441"]
PAPER = "#fbf8f3"

# The past event's album; the group page this demo is written from shows two photos.
ALBUM_PHOTOS = [
    (
        "Breakout circles at the data cooperatives evening",
        "Abstract drawing of small circles of people seated in warm orange and brown tones.",
    ),
    (
        "Report back: notes on the wall",
        "Abstract drawing of overlapping sheets of paper in warm colours.",
    ),
]

# What the demo's people say about themselves on their profiles (members/profile.html), in our
# own words. Filled only where the field is empty, like the pictures.
PROFILES = {
    "mike@potluck.example": {
        "pronouns": "he/him",
        "city": "Brooklyn, NY",
        "bio": "Co-founded this group. Works on software for worker cooperatives and likes "
        "evenings that end with a plan.",
        "links": "Blog https://example.org/mike",
        "profile_visibility": "everyone",
    },
    "austin@potluck.example": {
        "pronouns": "he/him",
        "city": "New York, NY",
        "bio": "Co-founded this group. Interested in how communities can own the data they "
        "create together.",
        "links": "Mastodon https://example.org/@austin",
        "profile_visibility": "everyone",
    },
    "rosa@potluck.example": {
        "pronouns": "she/her",
        "city": "Queens, NY",
        "bio": "Runs a small cleaning cooperative and wants to know how a shared booking app "
        "could work for it.",
    },
    "dev@potluck.example": {
        "pronouns": "they/them",
        "city": "Jersey City, NJ",
        "bio": "Designer. Thinking about a cooperative for freelance designers who are tired of "
        "the big marketplaces.",
        "links": "Portfolio https://example.org/dev",
    },
    "lin@potluck.example": {
        "city": "Manhattan, NY",
        "bio": "Studies data governance; happy to facilitate a breakout on data trusts.",
    },
}


def _rng(seed: str) -> random.Random:
    return random.Random(hashlib.sha256(seed.encode()).digest())  # the same picture every time


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def _gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    """A diagonal two-colour gradient, computed on a small image and scaled up (fast)."""
    small = Image.new("RGB", (64, 64))
    a, b = _hex(top), _hex(bottom)
    small.putdata(
        [
            tuple(round(a[i] + (b[i] - a[i]) * (x + y) / 126) for i in range(3))
            for y in range(64)
            for x in range(64)
        ]
    )
    return small.resize(size, Image.Resampling.BILINEAR)


def pattern(seed: str, size: tuple[int, int]) -> Image.Image:
    """A warm abstract picture: a gradient with soft circles, arcs and a few crisp dots."""
    rng = _rng(seed)
    width, height = size
    top, bottom = rng.sample(PALETTE[:6], 2)
    picture = _gradient(size, top, bottom)
    shapes = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    unit = min(width, height)
    for _ in range(9):
        radius = rng.uniform(0.12, 0.45) * unit
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(*_hex(rng.choice(PALETTE)), rng.randint(70, 150)),
        )
    shapes = shapes.filter(ImageFilter.GaussianBlur(unit / 40))
    picture.paste(shapes, (0, 0), shapes)
    draw = ImageDraw.Draw(picture)
    for _ in range(4):
        radius = rng.uniform(0.2, 0.6) * unit
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        start = rng.uniform(0, 360)
        draw.arc(
            (x - radius, y - radius, x + radius, y + radius),
            start,
            start + rng.uniform(60, 200),
            fill=PAPER,
            width=max(2, unit // 60),
        )
    for _ in range(14):
        angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.5) * unit
        x = width / 2 + math.cos(angle) * distance * width / unit
        y = height / 2 + math.sin(angle) * distance
        dot = rng.uniform(0.01, 0.03) * unit
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=rng.choice([PAPER, "#1f1d1a"]))
    return picture


def initials_avatar(name: str, size: int = 256) -> Image.Image:
    """A member's initials, light on a warm colour derived from the name."""
    rng = _rng(name)
    picture = _gradient((size, size), rng.choice(PALETTE[:3]), rng.choice(PALETTE[5:7]))
    draw = ImageDraw.Draw(picture)
    initials = "".join(part[0] for part in name.split()[:2]).upper() or "?"
    font = ImageFont.load_default(size=size * 0.42)
    draw.text((size / 2, size / 2), initials, fill=PAPER, font=font, anchor="mm")
    return picture


def upload(picture: Image.Image, name: str) -> io.BytesIO:
    """A picture as the PNG file a person would upload."""
    data = io.BytesIO()
    picture.save(data, "PNG")
    data.seek(0)
    data.name = name
    data.size = len(data.getvalue())
    return data


def _store(obj, field: str, shape: imagefiles.Shape, seed: str) -> None:
    """An admin image field (cover, speaker photo) filled as the admin form would fill it."""
    if getattr(obj, field):
        return
    processed = imagefiles.process(
        upload(pattern(seed, (shape.width, shape.height)), "demo.png"), shape
    )
    getattr(obj, field).save(processed.name, processed, save=False)
    obj.save(update_fields=[field])
    imagefiles.store_sibling(getattr(obj, field), processed)


def seed_profiles(group: Group) -> None:
    """The demo's people with a few words about themselves (after seed_conversation, which
    brings the members who are not organizers)."""
    people = get_user_model().objects.filter(memberships__group=group, email__in=PROFILES)
    for member in people.order_by("pk"):
        if not member.bio:  # never filled: the demo writes the whole profile once
            profile = PROFILES[member.email]
            for name, value in profile.items():
                setattr(member, name, value)
            member.save(update_fields=list(profile))
        if not member.avatar:
            member_set_avatar(
                member=member, upload=upload(initials_avatar(member.display_name), "avatar.png")
            )


def seed_pictures(group: Group) -> None:
    """Covers, speaker photos, organizers' avatars and the past event's album."""
    _store(group, "cover_image", imagefiles.COVER, f"group:{group.slug}")
    for event in Event.objects.filter(group=group).order_by("pk"):
        _store(event, "cover_image", imagefiles.COVER, f"event:{event.slug}")
    for speaker in Speaker.objects.filter(event_speakers__event__group=group).distinct():
        _store(speaker, "photo", imagefiles.PORTRAIT, f"speaker:{speaker.slug}")
    users = get_user_model().objects
    organizers = users.filter(memberships__group=group, memberships__role=Role.ORGANIZER)
    for member in organizers.order_by("pk"):
        if not member.avatar:
            member_set_avatar(
                member=member, upload=upload(initials_avatar(member.display_name), "avatar.png")
            )
    past = Event.objects.filter(group=group).past().first()
    uploader = users.filter(email=DEMO_ORGANIZER_EMAIL).first()  # in the Organizers group
    if past is None or uploader is None:
        return
    album = album_for_event(event=past, by=uploader)
    if album.photos.exists():
        return
    for number, (caption, alt_text) in enumerate(ALBUM_PHOTOS, start=1):
        photo_add(
            album=album,
            uploaded_by=uploader,
            file=upload(pattern(f"photo:{number}", (1600, 1067)), f"evening-{number}.png"),
            caption=caption,
            alt_text=alt_text,
        )
