"""One way of writing time per language (issue 26, item 6): Luma's "Tue, Jan 12 · 6:30–8:30 PM"
in English, 24-hour "mar, 12 ene · 18:30–20:30" in Spanish, the year only when it is not this
year; activity in relative words ("2 h ago", "hace 2 h"), then the date."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from conversation.models import Comment
from events import timefmt
from tests.factories import CommentFactory, EventFactory

NY = ZoneInfo("America/New_York")
NOW = datetime(2027, 1, 14, 12, 0, tzinfo=NY)  # a Thursday
EVENING = datetime(2027, 1, 12, 18, 30, tzinfo=NY)  # Tuesday


def _in(language: str, function, *args, **kwargs) -> str:
    with translation.override(language):
        return function(*args, **kwargs)


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Tue, Jan 12 · 6:30–8:30 PM"), ("es", "mar, 12 ene · 18:30–20:30")],
)
def test_an_evening_this_year(language, text):
    ends = EVENING + timedelta(hours=2)
    assert _in(language, timefmt.format_range, EVENING, ends, NY, now=NOW) == text


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Tue, Jan 12, 2027 · 6:30–8:30 PM"), ("es", "mar, 12 ene 2027 · 18:30–20:30")],
)
def test_an_evening_of_another_year_names_it(language, text):
    ends = EVENING + timedelta(hours=2)
    last_year = datetime(2026, 12, 20, tzinfo=NY)
    assert _in(language, timefmt.format_range, EVENING, ends, NY, now=last_year) == text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Tue, Jan 12 · 10:00 PM – Wed, Jan 13 · 1:30 AM"),
        ("es", "mar, 12 ene · 22:00 – mié, 13 ene · 01:30"),
    ],
)
def test_an_evening_across_midnight(language, text):
    starts = datetime(2027, 1, 12, 22, 0, tzinfo=NY)
    ends = starts + timedelta(hours=3, minutes=30)
    assert _in(language, timefmt.format_range, starts, ends, NY, now=NOW) == text


def test_a_morning_to_afternoon_names_both_halves_of_the_day():
    starts = datetime(2027, 1, 12, 11, 0, tzinfo=NY)
    text = _in("en", timefmt.format_range, starts, starts + timedelta(hours=2), NY, now=NOW)
    assert text == "Tue, Jan 12 · 11:00 AM–1:00 PM"


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Tue, Jan 12 · 6:30 PM"), ("es", "mar, 12 ene · 18:30")]
)
def test_one_moment(language, text):
    assert _in(language, timefmt.format_start, EVENING, NY, now=NOW) == text


@pytest.mark.parametrize(("language", "month"), [("en", "Jan"), ("es", "ene")])
def test_the_badges_month(language, month):
    assert _in(language, timefmt.month_abbr, EVENING) == month


RELATIVE = [
    (timedelta(seconds=20), "just now", "ahora mismo"),
    (timedelta(minutes=1), "1 min ago", "hace 1 min"),
    (timedelta(minutes=59, seconds=59), "59 min ago", "hace 59 min"),
    (timedelta(hours=1), "1 h ago", "hace 1 h"),
    (timedelta(hours=23, minutes=59), "23 h ago", "hace 23 h"),
    (timedelta(hours=24), "yesterday", "ayer"),
    (timedelta(days=2), "2 days ago", "hace 2 días"),
    (timedelta(days=6), "6 days ago", "hace 6 días"),
    (timedelta(days=7), "Thu, Jan 7", "jue, 7 ene"),
    (timedelta(days=30), "Tue, Dec 15, 2026", "mar, 15 dic 2026"),
]


@pytest.mark.parametrize(("ago", "english", "spanish"), RELATIVE, ids=[r[1] for r in RELATIVE])
def test_relative_buckets(ago, english, spanish):
    assert _in("en", timefmt.relative, NOW - ago, NY, now=NOW) == english
    assert _in("es", timefmt.relative, NOW - ago, NY, now=NOW) == spanish


def test_yesterday_is_the_calendar_day_before_in_the_zone():
    just_before_midnight = datetime(2027, 1, 13, 23, 30, tzinfo=NY)
    assert timefmt.relative(just_before_midnight, NY, now=NOW) == "12 h ago"
    two_days = datetime(2027, 1, 12, 23, 0, tzinfo=NY)  # 37 h ago, two calendar days
    assert timefmt.relative(two_days, NY, now=NOW) == "2 days ago"


def test_a_moment_to_come_is_written_in_full():
    assert timefmt.relative(NOW + timedelta(days=1), NY, now=NOW) == "Fri, Jan 15 · 12:00 PM"


@pytest.mark.parametrize(
    ("ago", "changes_in"),
    [
        (timedelta(seconds=20), timedelta(seconds=40)),
        (timedelta(seconds=-5), timedelta(seconds=65)),  # the writer's clock a little ahead
        (timedelta(minutes=5, seconds=10), timedelta(seconds=50)),
        (timedelta(hours=2, minutes=15), timedelta(minutes=45)),
        (timedelta(days=2), timedelta(hours=12)),  # at midnight in New York
        (timedelta(days=9), None),
    ],
)
def test_the_words_are_kept_until_they_change(ago, changes_in):
    until = timefmt.relative_until(NOW - ago, NY, now=NOW)
    assert (until - NOW if until else None) == changes_in
    if until is not None:
        before = timefmt.relative(NOW - ago, NY, now=until - timedelta(seconds=1))
        assert timefmt.relative(NOW - ago, NY, now=until) != before


def test_the_activity_tag_gives_the_absolute_time_in_its_title():
    template = Template("{% load events %}{% activity_time value %}")
    context = Context({"value": NOW - timedelta(hours=2), "group": SimpleNamespace(zone=NY)})
    with time_machine.travel(NOW, tick=False), translation.override("es"):
        html = template.render(context)
    assert html == (
        '<time datetime="2027-01-14T10:00:00-05:00" title="jue, 14 ene · 10:00">hace 2 h</time>'
    )


def test_in_an_email_the_activity_tag_writes_the_time_in_full():
    template = Template("{% load events %}{% activity_time value %}")
    context = {"value": NOW - timedelta(hours=2), "group": SimpleNamespace(zone=NY)}
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        html = template.render(Context(context | {"reader_zone": None}))
    assert html == '<time datetime="2027-01-14T10:00:00-05:00">Thu, Jan 14 · 10:00 AM</time>'


@pytest.mark.django_db
def test_a_cached_event_page_keeps_its_relative_times_no_longer_than_they_hold(client, group):
    with time_machine.travel(NOW, tick=False):
        event = EventFactory(group=group, starts_at=NOW + timedelta(days=3), comments_public=True)
        comment = CommentFactory(event=event)
        Comment.objects.filter(pk=comment.pk).update(created_at=NOW - timedelta(minutes=5))
        url = event.get_absolute_url()
        assert "5 min ago</time>" in client.get(url).text
        cached = client.get(url)
        assert cached.templates == []  # served from the cache
        assert "5 min ago</time>" in cached.text
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert "6 min ago</time>" in client.get(url).text


@pytest.mark.django_db
def test_a_cached_page_names_the_year_once_it_is_another(client, group):
    evening = datetime(2027, 12, 20, 18, 30, tzinfo=NY)
    with time_machine.travel(datetime(2027, 12, 31, 12, tzinfo=NY), tick=False):
        event = EventFactory(group=group, starts_at=evening, ends_at=evening + timedelta(hours=2))
        url = event.get_absolute_url()
        assert ">Mon, Dec 20 · 6:30–8:30 PM</time>" in client.get(url).text
        assert client.get(url).templates == []  # served from the cache
    with time_machine.travel(datetime(2028, 1, 1, 0, 0, 1, tzinfo=NY), tick=False):
        assert ">Mon, Dec 20, 2027 · 6:30–8:30 PM</time>" in client.get(url).text
