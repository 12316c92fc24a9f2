"""The recap of an evening that has ended, in Chromium: on a phone and a desktop, in English
and Spanish, for a visitor and a member who went — axe finds nothing, the photos come before
the notes, nothing scrolls sideways and no calendar link is offered."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from events.models import RSVP, RSVPStatus
from photos.models import Album, Photo
from tests.browser import axe_violations, log_in, third_party_requests
from tests.events.conftest import build_full_event
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
ENDED = {"en": "This evening has ended", "es": "Esta velada ya terminó"}


def _image(path, fmt):
    out = io.BytesIO()
    Image.new("RGB", (400, 267), (200, 120, 60)).save(out, fmt)
    path.write_bytes(out.getvalue())


def _past_evening(group, member, organizer, media):
    event = build_full_event(
        starts_at=timezone.now() - timedelta(days=5),
        title="How the City of New York is Supporting Cooperatives",
        description="Each month we host a guest. " * 20,
    )
    people = [member] + [
        MembershipFactory(group=group, user__display_name=f"Neighbour {i}").user for i in range(14)
    ]
    for person in people:
        RSVP.objects.create(event=event, member=person, status=RSVPStatus.GOING)
    for name, fmt in (("g.jpg", "JPEG"), ("g.webp", "WEBP")):
        _image(media / name, fmt)
    album = Album.objects.create(group=group, event=event, title=event.title)
    Photo.objects.bulk_create(
        Photo(
            album=album,
            uploaded_by=organizer,
            image="g.jpg",
            grid_jpeg="g.jpg",
            grid_webp="g.webp",
            large_jpeg="g.jpg",
            large_webp="g.webp",
            grid_height=267,
            large_width=400,
            large_height=267,
            alt_text=f"The room during the talk, view {i}",
        )
        for i in range(8)
    )
    return event


def _language(page, live_server, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def test_recap_passes_axe_on_phone_and_desktop_in_both_languages(
    page, live_server, settings, tmp_path, group, member, organizer, password
):
    settings.MEDIA_ROOT = tmp_path
    event = _past_evening(group, member, organizer, tmp_path)
    seen = []
    for who in ("visitor", "member"):
        if who == "member":
            _language(page, live_server, "en")  # log_in reads the English labels
            log_in(page, member.email, password)
        for viewport_name, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            for language, ended in ENDED.items():
                _language(page, live_server, language)
                page.goto(event.get_absolute_url())
                case = (who, viewport_name, language)
                assert page.get_by_role("heading", name=ended).is_visible(), case
                strip = page.locator(".photo-strip").bounding_box()
                notes = page.locator(".recap-story").bounding_box()
                assert strip["y"] < notes["y"], case
                calendar_links = page.locator("article a:is([href*='calendar'], [href*='.ics'])")
                assert calendar_links.count() == 0, case
                assert page.locator(".avatars.went > li").count() == (
                    13 if who == "member" else 0
                ), case
                wide = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert wide <= 0, case
                seen.append((case, axe_violations(page)))
    assert [(case, found) for case, found in seen if found] == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []
