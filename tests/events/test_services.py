from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events import services
from events.models import AgendaItem, Event, EventStatus, Recurrence
from tests.factories import EventFactory, SeriesFactory, VenueFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def test_sequence_rises_when_time_place_or_status_changes(group, organizer):
    event = EventFactory()
    assert event.sequence == 0
    event.summary = "New summary"
    services.event_save(event=event, by=organizer, changed_fields=["summary"])
    assert Event.objects.get(pk=event.pk).sequence == 0
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    services.event_save(event=event, by=organizer, changed_fields=["starts_at", "ends_at"])
    assert Event.objects.get(pk=event.pk).sequence == 1
    event.venue = VenueFactory()
    services.event_save(event=event, by=organizer, changed_fields=["venue"])
    assert Event.objects.get(pk=event.pk).sequence == 2
    cancelled = services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    assert (cancelled.status, cancelled.sequence) == (EventStatus.CANCELLED, 3)
    again = services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    assert again.sequence == 3
    assert Event.objects.get(pk=event.pk).updated_by == organizer


def test_event_save_gives_a_friendly_message_for_bad_times(group, organizer):
    event = EventFactory.build(group=group, venue=None)
    event.ends_at = event.starts_at
    with pytest.raises(ValidationError) as error:
        services.event_save(event=event, by=organizer)
    assert error.value.message_dict["ends_at"] == ["The event must end after it starts."]
    assert not Event.objects.exists()


def test_database_refuses_end_before_start(group):
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at - timedelta(minutes=1))


def test_slugs_are_unique_ignoring_case(group):
    EventFactory(slug="monthly-meetup")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="Monthly-Meetup")


def test_online_event_needs_its_link(group, organizer):
    event = EventFactory.build(group=group, venue=None, is_online=True)
    with pytest.raises(ValidationError) as error:
        services.event_save(event=event, by=organizer)
    assert list(error.value.message_dict) == ["online_url"]


@pytest.mark.parametrize(
    ("recurrence", "start", "expected"),
    [
        # Second Tuesday of October (EDT) to the second Tuesday of November (EST).
        (
            Recurrence.MONTHLY_WEEKDAY,
            datetime(2026, 10, 13, 18, 30),
            datetime(2026, 11, 10, 18, 30),
        ),
        # A fifth Thursday falls back to the last Thursday of the next month.
        (Recurrence.MONTHLY_WEEKDAY, datetime(2026, 10, 29, 18, 0), datetime(2026, 11, 26, 18, 0)),
        (Recurrence.MONTHLY_DAY, datetime(2026, 1, 31, 18, 0), datetime(2026, 2, 28, 18, 0)),
        (Recurrence.WEEKLY, datetime(2026, 3, 5, 19, 0), datetime(2026, 3, 12, 19, 0)),
        (Recurrence.BIWEEKLY, datetime(2026, 2, 26, 19, 0), datetime(2026, 3, 12, 19, 0)),
    ],
)
def test_next_date_keeps_wall_clock_time(recurrence, start, expected):
    result = services.next_date(start.replace(tzinfo=NY), recurrence, NY)
    assert result == expected.replace(tzinfo=NY)
    assert result.astimezone(NY).time() == start.time()


def test_duplicate_into_next_date_copies_program_as_draft(group, organizer):
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    event = EventFactory(
        series=series,
        starts_at=datetime(2026, 10, 13, 18, 30, tzinfo=NY),
        ends_at=datetime(2026, 10, 13, 20, 30, tzinfo=NY),
        capacity=30,
    )
    event.hosts.add(organizer)
    AgendaItem.objects.create(event=event, order=1, time=time(18, 30), title="Hi", kind="welcome")
    copy = services.event_duplicate_to_next(event=event, by=organizer)
    assert copy.pk != event.pk
    assert copy.status == EventStatus.DRAFT
    assert copy.starts_at == datetime(2026, 11, 10, 18, 30, tzinfo=NY)
    assert copy.ends_at == datetime(2026, 11, 10, 20, 30, tzinfo=NY)
    assert copy.slug == f"{series.slug}-2026-11-10"
    assert (copy.capacity, copy.venue, copy.series, copy.sequence) == (
        30,
        event.venue,
        series,
        0,
    )
    assert list(copy.hosts.all()) == [organizer]
    assert list(copy.agenda_items.values_list("title", "time")) == [("Hi", time(18, 30))]
    second = services.event_duplicate_to_next(event=event, by=organizer)
    assert second.slug == f"{series.slug}-2026-11-10-2"
