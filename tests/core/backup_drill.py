"""The restore drill's two halves: fill a site, and fetch every page, feed and image of it.

Runs inside pytest (populate) and as a child process pointed at a database and a media folder
by DATABASE_URL and POTLUCK_MEDIA_ROOT:

    python -m tests.core.backup_drill populate
    python -m tests.core.backup_drill fetch OUT.json
"""

import base64
import contextlib
import io
import json
import os
import re
import sys

from PIL import Image, ImageDraw

PHOTO_FILES = ["grid.webp", "grid.jpg", "large.webp", "large.jpg", "full.jpg"]
SITE_PATHS = [
    "/",
    "/events/",
    "/events/past/",
    "/events/feed.atom",
    "/calendar.ics",
    "/calendar/all.ics",
    "/calendar/",
    "/photos/",
    "/members/",
    "/privacy/",
    "/contact/",
    "/sitemap.xml",
    "/robots.txt",
]
MEMBER_PATHS = ["/me/", "/me/events/"]
MEMBER_EMAIL = "drill-ada@example.org"
# The only per-request randomness in a page: the masked CSRF token in each form.
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


class Upload(io.BytesIO):
    """An uploaded file as a view receives it: bytes with a name and a size."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def image(color: tuple[int, int, int], size=(1400, 900)) -> bytes:
    picture = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, size[0] // 3, size[1] // 2), fill=(20, 80, 160))
    draw.ellipse((size[0] // 2, size[1] // 3, size[0] - 40, size[1] - 40), fill=(250, 220, 40))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def populate() -> None:
    """The demo group, three members (two with avatars), RSVPs and an album of photos."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from events import services as event_services
    from events.demo import seed_events
    from events.models import RSVP, Event, RSVPStatus
    from groups import demo
    from groups.models import Membership, Role
    from members.services import member_set_avatar
    from photos import services as photo_services

    group = demo.seed_group()  # what seed_demo loads (the command refuses to run with DEBUG off)
    seed_events(group)
    user_model = get_user_model()
    organizer = user_model.objects.get(email=demo.DEMO_ORGANIZER_EMAIL)
    people = [
        (MEMBER_EMAIL, "Ada", "everyone"),
        ("drill-grace@example.org", "Grace", "members"),
        ("drill-linus@example.org", "Linus", "members"),
    ]
    members = []
    for email, name, visibility in people:
        user = user_model.objects.create_user(
            email=email, display_name=name, profile_visibility=visibility, city="Brooklyn"
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        Membership.objects.create(group=group, user=user, role=Role.MEMBER)
        members.append(user)
    member_set_avatar(member=members[0], upload=Upload(image((200, 60, 90), (700, 700)), "a.png"))
    member_set_avatar(member=members[1], upload=Upload(image((60, 160, 90), (640, 800)), "g.png"))

    for event in Event.objects.published().upcoming().order_by("starts_at"):
        for member in members:
            # An event that takes no RSVPs stays without them.
            with contextlib.suppress(ValidationError):
                event_services.rsvp_set(event=event, member=member, going=True)
    assert RSVP.objects.count() > 0

    past = Event.objects.published().past().order_by("-starts_at").first()
    RSVP.objects.create(event=past, member=members[0], status=RSVPStatus.GOING)
    album = photo_services.album_for_event(event=past, by=organizer)
    for number, color in enumerate([(200, 120, 60), (90, 140, 210), (120, 200, 120)]):
        photo_services.photo_add(
            album=album,
            uploaded_by=organizer,
            file=Upload(image(color), f"evening-{number}.png"),
            caption=f"The evening, picture {number + 1}",
            alt_text=f"People talking in small groups ({number + 1})",
        )
    photo_services.photo_add(
        album=album,
        uploaded_by=members[0],
        file=Upload(image((230, 230, 230)), "from-ada.png"),
        caption="From the back of the room",
        alt_text="The room seen from the back",
    )


def paths(viewer) -> list[str]:
    """Every page, feed and file this viewer (None: anonymous) could ask for, from the data."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from events.models import Event, Series, Speaker
    from photos.models import Album, Photo

    found = list(SITE_PATHS)
    for event in Event.objects.order_by("pk"):
        found.append(event.get_absolute_url())
        found.append(reverse("events:event_calendar", kwargs={"slug": event.slug}))
    found += [speaker.get_absolute_url() for speaker in Speaker.objects.order_by("pk")]
    found += [series.get_absolute_url() for series in Series.objects.order_by("pk")]
    found += [album.get_absolute_url() for album in Album.objects.order_by("pk")]
    for photo in Photo.objects.order_by("pk"):
        found.append(photo.get_absolute_url())
        found += [photo.file_url(name) for name in PHOTO_FILES]
    for person in get_user_model().objects.order_by("pk"):
        found.append(person.get_absolute_url())
        if person.avatar:
            found.append(reverse("members:avatar", kwargs={"pk": person.pk}))
    if viewer is not None:
        found += MEMBER_PATHS
        found.append(reverse("events:personal_calendar", kwargs={"token": viewer.calendar_token}))
    return found


def fetch() -> dict:
    """{viewer: {path: response}} for an anonymous visitor, a member and an organizer."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.test import Client

    from groups.demo import DEMO_ORGANIZER_EMAIL

    # Logging in must not change what a page shows (a last-login time) between the two sites.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_model = get_user_model()
    viewers = {
        "anonymous": None,
        "member": user_model.objects.get(email=MEMBER_EMAIL),
        "organizer": user_model.objects.get(email=DEMO_ORGANIZER_EMAIL),
    }
    results = {}
    for label, viewer in viewers.items():
        client = Client()
        if viewer is not None:
            client.force_login(viewer)
        results[label] = {path: _response(client.get(path)) for path in paths(viewer)}
    return results


def _response(response) -> dict:
    body = b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    return {
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "location": response.get("Location", ""),
        "body": base64.b64encode(CSRF.sub(rb"\1CSRF\2", body)).decode(),
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if argv[0] == "populate":
        populate()
    elif argv[0] == "fetch":
        with open(argv[1], "w") as out:
            json.dump(fetch(), out)
    else:
        raise SystemExit(f"unknown step {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
