"""Times in the reader's language, and in the zone a member chose beside the group's.

The group is in America/New_York. 2026's daylight-saving changes: New York on Sunday March 8
and Sunday November 1, Madrid on Sunday March 29 and Sunday October 25, Kolkata never; so a
7 PM evening in New York is 1 AM in Madrid, then midnight (March 8-28 and October 25-31),
then 1 AM again, and 5:30 AM in Kolkata, then 4:30 AM while New York is on summer time.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import get_format

from core.emails.message import render
from decisions.emails import DecisionEmail
from decisions.models import Option, Poll
from events import services, timefmt
from groups.models import Role
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MADRID = ZoneInfo("Europe/Madrid")
KOLKATA = ZoneInfo("Asia/Kolkata")


def _evening(month: int, day: int) -> tuple[datetime, datetime]:
    """7 to 9 PM in New York."""
    start = datetime(2026, month, day, 19, 0, tzinfo=NY)
    return start, start + timedelta(hours=2)


@pytest.fixture(autouse=True)
def in_2026():
    """The dates below are this year's (a date of another year names its year)."""
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=NY), tick=False):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def spanish():
    with translation.override("es"):
        yield


# --- Formats in the reader's language ----------------------------------------------------------


def test_format_in_english(english):
    assert timefmt.format_range(*_evening(12, 8), NY) == "Tue, Dec 8 · 7:00–9:00 PM"
    assert timefmt.format_start(_evening(12, 8)[0], NY) == "Tue, Dec 8 · 7:00 PM"


def test_format_in_spanish_is_24_hour_with_spanish_names(spanish):
    assert timefmt.format_range(*_evening(12, 8), NY) == "mar, 8 dic · 19:00–21:00"
    assert timefmt.format_start(_evening(12, 8)[0], NY) == "mar, 8 dic · 19:00"
    morning = datetime(2026, 7, 4, 9, 5, tzinfo=NY)
    assert (
        timefmt.format_range(morning, morning + timedelta(hours=3), NY)
        == "sáb, 4 jul · 09:05–12:05"
    )


def test_the_day_patterns_are_in_the_spanish_catalog_and_the_time_format_in_config_formats():
    with translation.override("es"):
        assert translation.pgettext("date without year", "%(weekday)s, %(month)s %(day)s") == (
            "%(weekday)s, %(day)s %(month)s"
        )
        assert get_format("TIME_FORMAT") == timefmt.TWENTY_FOUR_HOUR == "H:i"
    with translation.override("en"):
        assert get_format("TIME_FORMAT") == timefmt.TWELVE_HOUR == "g:i A"


# --- The reader's zone beside the group's, across daylight-saving changes -----------------------

MADRID_EVENINGS = [
    ((3, 4), "Wed, Mar 4 · 7:00–9:00 PM · Thu, Mar 5, 1:00–3:00 AM in Madrid"),
    ((3, 18), "Wed, Mar 18 · 7:00–9:00 PM · Thu, Mar 19, 12:00–2:00 AM in Madrid"),
    ((4, 1), "Wed, Apr 1 · 7:00–9:00 PM · Thu, Apr 2, 1:00–3:00 AM in Madrid"),
    ((10, 21), "Wed, Oct 21 · 7:00–9:00 PM · Thu, Oct 22, 1:00–3:00 AM in Madrid"),
    ((10, 28), "Wed, Oct 28 · 7:00–9:00 PM · Thu, Oct 29, 12:00–2:00 AM in Madrid"),
    ((11, 4), "Wed, Nov 4 · 7:00–9:00 PM · Thu, Nov 5, 1:00–3:00 AM in Madrid"),
]
KOLKATA_EVENINGS = [
    ((3, 4), "Wed, Mar 4 · 7:00–9:00 PM · Thu, Mar 5, 5:30–7:30 AM in Kolkata"),
    ((3, 18), "Wed, Mar 18 · 7:00–9:00 PM · Thu, Mar 19, 4:30–6:30 AM in Kolkata"),
    ((10, 28), "Wed, Oct 28 · 7:00–9:00 PM · Thu, Oct 29, 4:30–6:30 AM in Kolkata"),
    ((11, 4), "Wed, Nov 4 · 7:00–9:00 PM · Thu, Nov 5, 5:30–7:30 AM in Kolkata"),
]
DAY_IDS = ["before-us-spring", "between-spring-changes", "after-spring-changes"]


@pytest.mark.parametrize(
    ("day", "text"),
    MADRID_EVENINGS,
    ids=[*DAY_IDS, "before-eu-autumn", "between-autumn-changes", "after-autumn-changes"],
)
def test_madrid_across_both_daylight_saving_changes(english, day, text):
    assert timefmt.format_range(*_evening(*day), NY, MADRID) == text


@pytest.mark.parametrize(
    ("day", "text"),
    KOLKATA_EVENINGS,
    ids=["us-winter", "us-summer-spring", "us-summer-autumn", "us-winter-again"],
)
def test_kolkata_which_never_changes(english, day, text):
    assert timefmt.format_range(*_evening(*day), NY, KOLKATA) == text


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ((3, 4), "Wed, Mar 4 · 12:00–2:00 PM · 6:00–8:00 PM in Madrid"),
        ((3, 18), "Wed, Mar 18 · 12:00–2:00 PM · 5:00–7:00 PM in Madrid"),
        ((4, 1), "Wed, Apr 1 · 12:00–2:00 PM · 6:00–8:00 PM in Madrid"),
    ],
    ids=DAY_IDS,
)
def test_the_readers_date_only_when_it_is_another_day(english, day, text):
    noon = datetime(2026, *day, 12, 0, tzinfo=NY)
    assert timefmt.format_range(noon, noon + timedelta(hours=2), NY, MADRID) == text


def test_an_evening_that_ends_on_the_readers_next_day(english):
    start = datetime(2026, 3, 4, 17, 0, tzinfo=NY)
    assert timefmt.format_range(start, start + timedelta(hours=2), NY, MADRID) == (
        "Wed, Mar 4 · 5:00–7:00 PM · 11:00 PM – Thu, Mar 5, 1:00 AM in Madrid"
    )


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ((3, 4), "Wed, Mar 4 · 7:00 PM · Thu, Mar 5, 5:30 AM in Kolkata"),
        ((3, 18), "Wed, Mar 18 · 7:00 PM · Thu, Mar 19, 4:30 AM in Kolkata"),
    ],
)
def test_one_moment_in_the_readers_zone(english, day, text):
    assert timefmt.format_start(_evening(*day)[0], NY, KOLKATA) == text


def test_in_spanish_the_reader_reads_their_own_24_hour_time(spanish):
    assert timefmt.format_range(*_evening(3, 18), NY, MADRID) == (
        "mié, 18 mar · 19:00–21:00 · jue, 19 mar, 00:00–02:00 en Madrid"
    )
    assert timefmt.format_range(*_evening(3, 4), NY, KOLKATA) == (
        "mié, 4 mar · 19:00–21:00 · jue, 5 mar, 05:30–07:30 en Kolkata"
    )


@pytest.mark.parametrize("zone", ["America/New_York", "America/Toronto", "America/Nassau"])
def test_no_second_zone_when_the_clocks_agree(english, zone):
    for day in ((3, 4), (3, 18), (11, 4)):
        starts, ends = _evening(*day)
        assert timefmt.format_range(starts, ends, NY, ZoneInfo(zone)) == timefmt.format_range(
            starts, ends, NY
        )
        assert timefmt.format_start(starts, NY, ZoneInfo(zone)) == timefmt.format_start(starts, NY)


def test_the_place_is_the_zones_city():
    assert timefmt.place(ZoneInfo("America/Argentina/Buenos_Aires")) == "Buenos Aires"
    assert timefmt.place(ZoneInfo("UTC")) == "UTC"


def test_a_member_without_a_zone_or_with_an_unknown_one_reads_the_groups():
    assert timefmt.reader_zone(UserFactory.build(time_zone="")) is None
    assert timefmt.reader_zone(UserFactory.build(time_zone="Mars/Olympus_Mons")) is None
    assert timefmt.reader_zone(UserFactory.build(time_zone="Asia/Kolkata")) == KOLKATA


# --- Pages -------------------------------------------------------------------------------------


def _member(group, zone: str = "", language: str = ""):
    return MembershipFactory(
        group=group, role=Role.MEMBER, user=UserFactory(time_zone=zone, language=language)
    ).user


def _when(response) -> str:
    """The event page's first <time> element, as sent."""
    html = response.content.decode()
    start = html.index('<span class="fact-main when"><time ') + len('<span class="fact-main when">')
    return html[start : html.index("</time>", start) + len("</time>")]


@pytest.fixture
def evening(group):
    starts, ends = _evening(3, 18)
    return EventFactory(group=group, starts_at=starts, ends_at=ends)


def test_event_page_for_a_member_in_madrid(client, group, evening):
    client.force_login(_member(group, "Europe/Madrid"))
    assert _when(client.get(evening.get_absolute_url())) == (
        '<time datetime="2026-03-18T19:00:00-04:00">Wed, Mar 18 · 7:00–9:00 PM'
        '<span class="reader-time"> · Thu, Mar 19, 12:00–2:00 AM in Madrid</span></time>'
    )


def test_event_page_for_a_member_in_kolkata_reading_spanish(client, group, evening):
    client.force_login(_member(group, "Asia/Kolkata", language="es"))
    assert _when(client.get(evening.get_absolute_url())) == (
        '<time datetime="2026-03-18T19:00:00-04:00">mié, 18 mar · 19:00–21:00'
        '<span class="reader-time"> · jue, 19 mar, 04:30–06:30 en Kolkata</span></time>'
    )


def test_event_page_for_a_member_whose_zone_agrees_with_the_groups(client, group, evening):
    client.force_login(_member(group, "America/Toronto"))
    assert _when(client.get(evening.get_absolute_url())) == (
        '<time datetime="2026-03-18T19:00:00-04:00">Wed, Mar 18 · 7:00–9:00 PM</time>'
    )


def test_listing_and_poll_pages_show_the_members_zone(client, group):
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=NY), tick=False):
        EventFactory(group=group, starts_at=_evening(3, 18)[0], ends_at=_evening(3, 18)[1])
        poll = Poll.objects.create(
            group=group,
            question="Tea or coffee?",
            opens_at=_evening(3, 4)[0],
            closes_at=_evening(3, 18)[0],
        )
        Option.objects.create(poll=poll, label="Tea", position=0)
        client.force_login(_member(group, "Asia/Kolkata"))
        listing = client.get("/events/").content.decode()
        poll_page = client.get(poll.get_absolute_url()).content.decode()
    assert "Wed, Mar 18 · 7:00–9:00 PM" in listing
    assert '<span class="reader-time"> · Thu, Mar 19, 4:30–6:30 AM in Kolkata</span>' in (listing)
    assert (
        '<time datetime="2026-03-18T19:00:00-04:00">Wed, Mar 18 · 7:00 PM'
        '<span class="reader-time"> · Thu, Mar 19, 4:30 AM in Kolkata</span></time>'
    ) in poll_page


def test_visitors_read_the_groups_zone_alone(client, group, evening):
    assert _when(client.get(evening.get_absolute_url())) == (
        '<time datetime="2026-03-18T19:00:00-04:00">Wed, Mar 18 · 7:00–9:00 PM</time>'
    )


@pytest.mark.parametrize("venue", [False, True], ids=["online", "hybrid"])
def test_online_and_hybrid_events_carry_what_the_script_needs(client, group, venue):
    starts, ends = _evening(3, 18)
    event = EventFactory(
        group=group,
        starts_at=starts,
        ends_at=ends,
        is_online=True,
        online_url="https://meet.example/coop",
        **({} if venue else {"venue": None}),
    )
    expected = (
        '<time datetime="2026-03-18T19:00:00-04:00" data-ends-at="2026-03-18T21:00:00-04:00" '
        'data-local-time="%(time)s your time">Wed, Mar 18 · 7:00–9:00 PM</time>'
    )
    assert _when(client.get(event.get_absolute_url())) == expected
    client.force_login(_member(group))  # a member who chose no zone: the same
    assert _when(client.get(event.get_absolute_url())) == expected
    client.force_login(_member(group, "Europe/Madrid"))  # chose one: shown by the server
    assert "data-local-time" not in _when(client.get(event.get_absolute_url()))
    client.logout()
    spanish = client.get(event.get_absolute_url(), headers={"accept-language": "es"})
    assert 'data-local-time="%(time)s en tu zona horaria">mié, 18 mar · 19:00' in _when(spanish)


def test_in_person_events_are_not_marked_for_the_script(client, group, evening):
    assert "data-local-time" not in client.get(evening.get_absolute_url()).content.decode()


def test_the_script_is_loaded_from_our_own_static_files(client, group, evening):
    html = client.get(evening.get_absolute_url()).content.decode()
    assert '<script src="/static/js/localtime.js" defer></script>' in html


# --- The page cache and the query count --------------------------------------------------------


def test_the_page_cache_keeps_each_members_zone_apart(client, group, evening):
    madrid, kolkata = _member(group, "Europe/Madrid"), _member(group, "Asia/Kolkata")
    plain, madrid_too = _member(group), _member(group, "Europe/Madrid")
    url = evening.get_absolute_url()
    for _ in range(2):  # the second round is served from the cache
        client.force_login(madrid)
        assert "in Madrid" in _when(client.get(url))
        client.force_login(plain)
        assert "reader-time" not in _when(client.get(url))
        client.force_login(kolkata)
        assert "in Kolkata" in _when(client.get(url))
        client.force_login(madrid_too)
        assert "in Madrid" in _when(client.get(url))
        client.logout()
        assert "reader-time" not in _when(client.get(url))


def _queries(client, user, url) -> list[int]:
    client.force_login(user)
    counts = []
    for _ in range(2):  # rendered, then from the cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    return counts


def test_a_members_zone_costs_no_query(client, group, evening):
    url = evening.get_absolute_url()
    without = _queries(client, _member(group), url)
    with_zone = _queries(client, _member(group, "Asia/Kolkata"), url)
    assert with_zone == without
    assert without[1] < without[0]  # the second one came from the cache
    listing = [_queries(client, _member(group, zone), "/events/")[0] for zone in ("", "UTC")]
    assert listing[0] == listing[1]


# --- Emails ------------------------------------------------------------------------------------


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_confirmation_in_the_members_zone_and_language(group, commit):
    member = _member(group, "Europe/Madrid", language="es")
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=NY), tick=False):
        event = EventFactory(group=group, starts_at=_evening(3, 18)[0], ends_at=_evening(3, 18)[1])
        with commit():
            services.rsvp_set(event=event, member=member, going=True)
    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    assert message.body.splitlines()[2] == (
        "mié, 18 mar · 19:00–21:00 · jue, 19 mar, 00:00–02:00 en Madrid"
    )
    assert (
        '<time datetime="2026-03-18T19:00:00-04:00">mié, 18 mar · 19:00–21:00'
        '<span class="reader-time"> · jue, 19 mar, 00:00–02:00 en Madrid</span></time>'
    ) in html


def test_reminder_in_the_members_zone(group, commit):
    member = _member(group, "Asia/Kolkata")
    others = _member(group)
    with time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=NY), tick=False):
        starts, ends = _evening(10, 28)
        event = EventFactory(
            group=group,
            starts_at=starts,
            ends_at=ends,
            is_online=True,
            online_url="https://meet.example/coop",
        )
        services.rsvp_set(event=event, member=member, going=True)
        services.rsvp_set(event=event, member=others, going=True)
        mail.outbox.clear()
        with commit():
            assert services.reminders_send(now=starts - timedelta(hours=10)) == 2
    sent = {message.to[0]: message for message in mail.outbox}
    theirs, group_only = sent[member.email], sent[others.email]
    assert theirs.body.splitlines()[2] == (
        "Wed, Oct 28 · 7:00–9:00 PM · Thu, Oct 29, 4:30–6:30 AM in Kolkata"
    )
    assert group_only.body.splitlines()[2] == "Wed, Oct 28 · 7:00–9:00 PM"
    [(html, _mimetype)] = group_only.alternatives
    assert "data-local-time" not in html  # no script runs in an email


def test_a_poll_email_of_the_decisions_app_in_the_members_zone(group):
    member = _member(group, "Europe/Madrid")
    poll = Poll.objects.create(
        group=group,
        question="Tea or coffee?",
        opens_at=_evening(3, 4)[0],
        closes_at=_evening(10, 28)[0],
    )
    message = render(kind=DecisionEmail.POLL, recipient=member, params={"poll_id": poll.pk})
    assert (
        "Voting is open until Wed, Oct 28 · 7:00 PM · Thu, Oct 29, 12:00 AM in "
        "Madrid." in message.body
    )


def test_the_text_tags_read_the_zone_the_email_names(english, group):
    template = Template("{% load events %}{% event_when_text event %}|{% moment_text at %}")
    starts, ends = _evening(11, 4)
    event = EventFactory.build(group=group, starts_at=starts, ends_at=ends)
    context = {"group": group, "event": event, "at": starts, "reader_zone": KOLKATA}
    assert template.render(Context(context)) == (
        "Wed, Nov 4 · 7:00–9:00 PM · Thu, Nov 5, 5:30–7:30 AM in Kolkata|"
        "Wed, Nov 4 · 7:00 PM · Thu, Nov 5, 5:30 AM in Kolkata"
    )
