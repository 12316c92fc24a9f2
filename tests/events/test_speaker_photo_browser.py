"""A guest's photo stays square beside a long bio, on a phone and on a desktop, in both
languages: the photo is stored through the admin's image pipeline, as organizers upload it."""

import io

import pytest
from django.urls import reverse

from events.models import EventSpeaker
from tests.factories import EventFactory, SpeakerFactory
from tests.photos import samples

from .test_images import _speaker_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _speaker_with_a_stored_photo(client, organizer):
    speaker = SpeakerFactory(
        affiliation="A worker cooperative in Brooklyn",
        bio="Works on cooperatively owned delivery platforms. " * 12,
    )
    photo = io.BytesIO(samples.dirty_png())
    photo.name = "me.png"
    client.force_login(organizer)
    url = reverse("admin:events_speaker_change", args=[speaker.pk])
    response = client.post(url, _speaker_form(speaker, bio_en=speaker.bio, photo=photo))
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker.refresh_from_db()
    assert speaker.photo
    return speaker


def test_the_guest_photo_is_square_on_the_event_page(
    browser, live_server, client, organizer, media_root
):
    speaker = _speaker_with_a_stored_photo(client, organizer)
    event = EventFactory()
    EventSpeaker.objects.create(event=event, speaker=speaker)
    shapes = {}
    for size, viewport in SIZES.items():
        for language in ["en", "es"]:
            context = browser.new_context(base_url=live_server.url, viewport=viewport)
            page = context.new_page()
            page.goto(f"{event.get_absolute_url()}?lang={language}")
            photo = page.locator(".speaker > picture img")
            photo.scroll_into_view_if_needed()
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
            )
            box = photo.bounding_box()
            shapes[size, language] = (round(box["width"]), round(box["height"]))
            context.close()
    assert shapes == dict.fromkeys(shapes, (96, 96))
