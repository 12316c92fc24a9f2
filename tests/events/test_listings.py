"""The one rule for upcoming and past, at its edges, and times in the group's zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from events import timefmt
from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

IN_2026 = datetime(2026, 6, 1, tzinfo=UTC)
NY = ZoneInfo("America/New_York")
START = datetime(2026, 12, 8, 18, 30, tzinfo=NY)
END = datetime(2026, 12, 8, 20, 30, tzinfo=NY)
SECOND = timedelta(seconds=1)


@pytest.fixture
def event(group):
    return EventFactory(starts_at=START, ends_at=END)


def _lists(now):
    published = Event.objects.published()
    return list(published.upcoming(now)), list(published.past(now))


@pytest.mark.parametrize(
    ("now", "upcoming", "happening"),
    [
        (START - SECOND, True, False),
        (START, True, True),
        (START + SECOND, True, True),
        (END - SECOND, True, True),
        (END, False, False),
        (END + SECOND, False, False),
    ],
    ids=[
        "1s-before-start",
        "at-start",
        "1s-after-start",
        "1s-before-end",
        "at-end",
        "1s-after-end",
    ],
)
def test_event_is_in_exactly_one_list_at_edges(event, now, upcoming, happening):
    upcoming_list, past_list = _lists(now)
    assert upcoming_list == ([event] if upcoming else [])
    assert past_list == ([] if upcoming else [event])
    assert event.is_happening(now) is happening
    assert event.is_past(now) is (not upcoming)


def test_default_now_is_the_frozen_clock(event):
    with time_machine.travel(END - SECOND, tick=False):
        assert list(Event.objects.published().upcoming()) == [event]
        assert event.happening_now is True
    with time_machine.travel(END, tick=False):
        assert list(Event.objects.published().past()) == [event]
        assert event.has_ended is True


def test_event_spanning_midnight(group):
    starts = datetime(2026, 12, 31, 22, 0, tzinfo=NY)
    ends = datetime(2027, 1, 1, 1, 0, tzinfo=NY)
    event = EventFactory(starts_at=starts, ends_at=ends)
    assert _lists(datetime(2027, 1, 1, 0, 30, tzinfo=NY)) == ([event], [])
    assert _lists(ends) == ([], [event])
    assert (
        timefmt.format_range(starts, ends, NY, now=IN_2026)
        == "Thu, Dec 31, 2026 · 10:00 PM – Fri, Jan 1, 2027 · 1:00 AM"
    )


def test_ordering_upcoming_ascending_past_descending(group):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    past_old = EventFactory(starts_at=now - timedelta(days=60))
    past_new = EventFactory(starts_at=now - timedelta(days=30))
    soon = EventFactory(starts_at=now + timedelta(days=3))
    later = EventFactory(starts_at=now + timedelta(days=40))
    assert _lists(now) == ([soon, later], [past_new, past_old])


def test_drafts_are_in_neither_public_list(group):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    EventFactory(starts_at=now + timedelta(days=1), status="draft")
    cancelled = EventFactory(starts_at=now + timedelta(days=2), status="cancelled")
    assert _lists(now) == ([cancelled], [])


def test_display_in_group_zone(event):
    assert timefmt.format_range(START, END, NY, now=IN_2026) == "Tue, Dec 8 · 6:30–8:30 PM"


@pytest.mark.parametrize(
    ("local_start", "utc_start", "text"),
    [
        (
            datetime(2026, 10, 31, 18, 30, tzinfo=NY),
            datetime(2026, 10, 31, 22, 30, tzinfo=UTC),
            "Sat, Oct 31 · 6:30–8:30 PM",
        ),
        (
            datetime(2026, 11, 2, 18, 30, tzinfo=NY),
            datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
            "Mon, Nov 2 · 6:30–8:30 PM",
        ),
    ],
    ids=["before-dst-end", "after-dst-end"],
)
def test_daylight_saving_change_in_group_zone(group, local_start, utc_start, text):
    event = EventFactory(starts_at=local_start, ends_at=local_start + timedelta(hours=2))
    event.refresh_from_db()
    assert event.starts_at == utc_start
    assert timefmt.format_range(event.starts_at, event.ends_at, NY, now=IN_2026) == text


def test_event_across_the_dst_change_night(group):
    # 1:30 AM happens twice on 2026-11-01; an event from 0:30 to 3:00 EST lasts 3.5 hours.
    starts = datetime(2026, 11, 1, 0, 30, tzinfo=NY)
    ends = datetime(2026, 11, 1, 3, 0, tzinfo=NY)
    assert (ends - starts) == timedelta(hours=2, minutes=30)  # wall clock difference
    assert ends.astimezone(UTC) - starts.astimezone(UTC) == timedelta(hours=3, minutes=30)
    assert (
        timefmt.format_range(starts, ends, NY, now=IN_2026)
        == "Sun, Nov 1 · 12:30 AM EDT – 3:00 AM EST"
    )


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("hour", [0, 9, 12, 23])
def test_fast_formatting_matches_djangos_formatter(month, hour):
    from django.utils import dateformat, translation

    moment = datetime(2027, month, 3 + month, hour, 5, tzinfo=NY)
    with translation.override("en"):
        assert timefmt.day(moment, year=False) == dateformat.format(moment, "D, M j")
        assert timefmt.clock(moment) == dateformat.format(moment, "g:i A")
    with translation.override("es"):
        assert timefmt.clock(moment) == dateformat.format(moment, "H:i")
        assert timefmt.month_abbr(moment) == dateformat.format(moment, "b")
