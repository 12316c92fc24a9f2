"""Duplicating an event keeps every setting and its program, at a new date, as a draft."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from core.markdown import render_markdown
from events import services
from events.models import AgendaItem, Breakout, Event, EventSpeaker, EventStatus, Recurrence
from tests.factories import (
    BreakoutFactory,
    EventFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
# Fields a copy does not take over; each is checked on its own below.
NOT_COPIED = {
    "id",
    "slug",
    "status",
    "starts_at",
    "ends_at",
    "rsvp_opens_at",
    "rsvp_closes_at",
    "sequence",
    "waitlist_counter",
    "announced_at",
    "import_uid",
    "source_url",
    "cover_image",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _full_event(group, organizer, **kwargs):
    """An event with a non-default value in every field, a program, speakers and breakouts."""
    starts_at = datetime(2026, 10, 13, 18, 30, tzinfo=NY)
    cover = default_storage.save("events/cover.jpg", ContentFile(b"jpeg"))
    default_storage.save("events/cover.webp", ContentFile(b"webp"))
    default_storage.save("events/cover-600.jpg", ContentFile(b"small jpeg"))
    default_storage.save("events/cover-600.webp", ContentFile(b"small webp"))
    event = EventFactory(
        title="Workers' Rights & Platforms",
        summary="Who owns the app?",
        description="We talk about **ownership**.",
        title_es="Derechos laborales y plataformas",
        summary_es="¿De quién es la aplicación?",
        description_es="Hablamos de **propiedad**.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue=VenueFactory(),
        is_online=True,
        online_url="https://meet.example/coop",
        capacity=30,
        max_guests=2,
        rsvp_opens_at=starts_at - timedelta(days=14),
        rsvp_closes_at=starts_at - timedelta(hours=3),
        rsvp_question="What would you like to discuss?",
        address_for_attendees_only=True,
        comments_public=True,
        import_uid="meetup-123@example.com",
        source_url="https://meetup.example/events/123",
        waitlist_counter=7,
        sequence=3,
        cover_image=cover,
        created_by=organizer,
        updated_by=organizer,
        **kwargs,
    )
    Event.objects.filter(pk=event.pk).update(announced_at=starts_at - timedelta(days=20))
    event.refresh_from_db()
    event.hosts.add(organizer)
    guest, moderator = SpeakerFactory(), SpeakerFactory()
    EventSpeaker.objects.create(event=event, speaker=moderator, role="moderator", order=2)
    EventSpeaker.objects.create(event=event, speaker=guest, role="guest", order=1)
    AgendaItem.objects.create(event=event, order=1, time=time(18, 30), title="Hi", kind="welcome")
    AgendaItem.objects.create(event=event, order=2, time=None, title="Talk", kind="presentation")
    facilitator = UserFactory()
    BreakoutFactory(
        event=event,
        order=1,
        topic="Pay",
        prompt="How?",
        facilitator=facilitator,
        capacity=8,
        notes="We agreed.",
        notes_published=True,
    )
    Breakout.objects.create(event=event, order=2, topic="Data", facilitator_name="Ana")
    return event


def _local(moment, zone):
    return moment.astimezone(zone).replace(tzinfo=None)


def _assert_copied(copy, event):
    copied = [f for f in Event._meta.concrete_fields if f.name not in NOT_COPIED]
    # The original differs from every default, so a field the copy drops shows here.
    unset = [f.name for f in copied if getattr(event, f.attname) == f.get_default()]
    assert unset == ([] if event.series_id else ["series"])
    assert {f.name: getattr(copy, f.attname) for f in copied} == {
        f.name: getattr(event, f.attname) for f in copied
    }
    assert set(NOT_COPIED) <= {f.name for f in Event._meta.concrete_fields}
    # The RSVP window keeps its wall-clock distance from the start (across DST changes too).
    zone = event.group.zone
    local_shift = _local(copy.starts_at, zone) - _local(event.starts_at, zone)
    assert (copy.rsvp_opens_at, copy.rsvp_closes_at) == (
        (_local(event.rsvp_opens_at, zone) + local_shift).replace(tzinfo=zone),
        (_local(event.rsvp_closes_at, zone) + local_shift).replace(tzinfo=zone),
    )
    assert (copy.status, copy.sequence, copy.waitlist_counter, copy.announced_at) == (
        EventStatus.DRAFT,
        0,
        0,
        None,
    )
    assert (copy.import_uid, copy.source_url) == (None, "")
    assert copy.cover_image.name != event.cover_image.name
    with default_storage.open(copy.cover_image.name) as jpeg:
        assert jpeg.read() == b"jpeg"
    stem = copy.cover_image.name.removesuffix(".jpg")
    copied_files = {}
    for suffix in (".webp", "-600.jpg", "-600.webp"):
        with default_storage.open(stem + suffix) as stored:
            copied_files[suffix] = stored.read()
    assert copied_files == {".webp": b"webp", "-600.jpg": b"small jpeg", "-600.webp": b"small webp"}
    assert list(copy.hosts.all()) == list(event.hosts.all())
    assert list(copy.event_speakers.values_list("speaker", "role", "order")) == list(
        event.event_speakers.values_list("speaker", "role", "order")
    )
    breakouts = ("topic", "prompt", "facilitator", "facilitator_name", "capacity", "order")
    assert list(copy.breakouts.values_list(*breakouts)) == list(
        event.breakouts.values_list(*breakouts)
    )
    assert list(copy.breakouts.values_list("notes", "notes_html", "notes_published")) == [
        ("", "", False),
        ("", "", False),
    ]
    assert (copy.description_html, copy.description_text) == (
        render_markdown(event.description),
        "We talk about ownership.",
    )


def test_duplicate_of_a_series_event_keeps_everything(group, organizer, media):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    event = _full_event(group, organizer, series=series)
    copy = services.event_duplicate_to_next(event=event, by=organizer)
    copy.refresh_from_db()
    assert copy.starts_at == datetime(2026, 11, 10, 18, 30, tzinfo=NY)  # across the DST change
    assert copy.ends_at == datetime(2026, 11, 10, 20, 30, tzinfo=NY)
    assert copy.slug == f"{series.slug}-2026-11-10"
    # RSVPs open two weeks ahead at 6:30 PM and close at 3:30 PM, before and after the change.
    assert (copy.rsvp_opens_at, copy.rsvp_closes_at) == (
        datetime(2026, 10, 27, 18, 30, tzinfo=NY),
        datetime(2026, 11, 10, 15, 30, tzinfo=NY),
    )
    assert (copy.created_by, copy.updated_by) == (organizer, organizer)
    _assert_copied(copy, event)
    assert list(copy.agenda_items.values_list("title", "time")) == [
        ("Hi", time(18, 30)),
        ("Talk", None),
    ]


def test_duplicate_to_another_time_moves_the_program(group, organizer, media):
    event = _full_event(group, organizer)
    copy = services.event_duplicate(
        event=event, starts_at=datetime(2026, 12, 1, 19, 0, tzinfo=NY), by=organizer
    )
    copy.refresh_from_db()
    assert copy.ends_at == datetime(2026, 12, 1, 21, 0, tzinfo=NY)
    _assert_copied(copy, event)
    assert list(copy.agenda_items.values_list("title", "time")) == [
        ("Hi", time(19, 0)),
        ("Talk", None),
    ]


def test_admin_duplicates_an_event_outside_a_series_a_week_later(client, group, organizer, media):
    event = _full_event(group, organizer)
    client.force_login(organizer)
    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "duplicate_to_next_date", "_selected_action": [event.pk]},
    )
    assert response.status_code == 302
    copy = Event.objects.exclude(pk=event.pk).get()
    assert copy.starts_at == datetime(2026, 10, 20, 18, 30, tzinfo=NY)
    assert copy.slug == "workers-rights-platforms-2026-10-20"
    _assert_copied(copy, event)
