"""Every calendar feed conforms: the content rules, line by line, and three parsers that agree.

The feeds are fetched through the real views. Their content lines are checked one by one
(calendar properties, every VEVENT's lines, the VTIMEZONE, folding and line endings), and each
feed is read by three independent parsers: icalendar, vobject and ical.js (Mozilla's parser,
used by Thunderbird, run with Node from tools/icaljs). All three must find, for every UID, the
UTC instants Django stored, for events in six zones on both sides of every change of UTC offset
from 2026 to 2030, the hour that repeats when clocks go back included.

The clock is frozen on 2025-06-01, so every event up to 2030 is upcoming and in the feeds, and
DTSTAMP, CREATED and LAST-MODIFIED are exact.
"""

import json
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
import vobject.icalendar
from icalendar import Calendar

from events import ical
from events.models import RSVP, Event, EventSpeaker, EventStatus, RSVPStatus, SpeakerRole
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SpeakerFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ICALJS = ROOT / "tools" / "icaljs"
SITE = "https://potluck.example"
DOMAIN = "potluck.example"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
STAMP = "20250601T120000Z"  # NOW, as DTSTAMP, CREATED and LAST-MODIFIED write it
CONTACT = "hello@potluck.example"

# Commas, semicolons, backslashes (a run of them, one before a comma, one before N and n),
# newlines, emoji (a skin-tone ZWJ sequence) and three non-Latin scripts.
NASTY = (
    "Coops, unions; C:\\Notes\\new \\\\\\ back\\, slash\nКооператив 合作社 تعاونية 🎉🧑🏽‍🤝‍🧑🏾 end"
)

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",  # southern hemisphere: summer time from October to April
    "Asia/Kolkata",  # +05:30, no daylight-saving time
    "Australia/Adelaide",  # +09:30 / +10:30: a half-hour offset with daylight-saving time
    "America/St_Johns",  # -03:30 / -02:30
]
FIRST_YEAR, LAST_YEAR = 2026, 2030


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


# --- Reading a feed as lines -------------------------------------------------------------------


def physical_lines(body: bytes) -> list[bytes]:
    """The feed's physical lines; every one ends in CRLF, none holds a bare CR or LF."""
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    assert [line for line in lines if b"\r" in line or b"\n" in line] == []
    return lines


def folded_lines(body: bytes) -> list[list[bytes]]:
    """Each content line as the list of its physical lines (continuations keep their space)."""
    logical: list[list[bytes]] = []
    for line in physical_lines(body):
        if line[:1] in (b" ", b"\t"):
            logical[-1].append(line)
        else:
            logical.append([line])
    return logical


def content_lines(body: bytes) -> list[str]:
    return [
        (parts[0] + b"".join(part[1:] for part in parts[1:])).decode("utf-8")
        for parts in folded_lines(body)
    ]


def components(lines: list[str], name: str) -> list[list[str]]:
    """The content lines of every NAME component, nested components included."""
    found, current = [], None
    for line in lines:
        if line == f"BEGIN:{name}":
            current = []
        elif line == f"END:{name}":
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


def calendar_properties(lines: list[str]) -> list[str]:
    """The VCALENDAR's own properties, outside any component."""
    assert (lines[0], lines[-1]) == ("BEGIN:VCALENDAR", "END:VCALENDAR")
    depth, found = 0, []
    for line in lines[1:-1]:
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            depth -= 1
        elif depth == 0:
            found.append(line)
    return found


def property_name(line: str) -> str:
    return re.split(r"[;:]", line, maxsplit=1)[0]


def by_name(lines: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in lines:
        found.setdefault(property_name(line), []).append(line)
    return found


def escape(text: str) -> str:
    """TEXT as RFC 5545 section 3.3.11 writes it."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def repeats(local: datetime) -> bool:
    """The wall-clock time occurs twice (the night clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def time_line(name: str, moment: datetime, zone_name: str) -> str:
    """DTSTART/DTEND in the group's zone; in UTC for a wall time the night repeats (see ical)."""
    local = moment.astimezone(ZoneInfo(zone_name))
    if repeats(local):
        return f"{name}:{utc_stamp(moment)}"
    return f"{name};TZID={zone_name}:{local.strftime('%Y%m%dT%H%M%S')}"


CARET_ESCAPES = (b"^^", b"^n", b"^'")  # RFC 6868, in parameter values


def fold_problems(body: bytes) -> list[str]:
    """Physical lines over 75 octets, and folds inside a UTF-8 character or an escape."""
    problems = []
    for parts in folded_lines(body):
        for part in parts:
            if len(part) > 75:
                problems.append(f"{len(part)} octets: {part!r}")
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"fold splits a UTF-8 character: {part!r}")
        content = [parts[0]] + [part[1:] for part in parts[1:]]  # without the leading spaces
        joined = b"".join(content)
        cuts = {sum(len(piece) for piece in content[:n]) for n in range(1, len(content))}
        # An escape is a backslash and the character after it in the value (RFC 5545), or a
        # caret and the character after it in a parameter value (RFC 6868).
        index, in_value, quoted = 0, False, False
        while index < len(joined):
            char, pair = joined[index : index + 1], joined[index : index + 2]
            if (in_value and char == b"\\") or (not in_value and pair in CARET_ESCAPES):
                if index + 1 in cuts:
                    problems.append(f"fold splits the escape {pair!r}: {parts!r}")
                index += 2
                continue
            if not in_value and char == b'"':
                quoted = not quoted
            elif not in_value and char == b":" and not quoted:
                in_value = True
            index += 1
    return problems


# --- Three parsers ---------------------------------------------------------------------------


def icalendar_instants(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """icalendar's reading: TZIDs resolved by name in its zone database."""
    calendar = Calendar.from_ical(body)
    return {
        str(vevent["UID"]): (
            vevent.decoded("DTSTART").astimezone(UTC),
            vevent.decoded("DTEND").astimezone(UTC),
        )
        for vevent in calendar.walk("VEVENT")
    }


def icalendar_vtimezone_instants(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """icalendar's reading of the feed's own VTIMEZONE rules (not its zone database)."""
    calendar = Calendar.from_ical(body)
    zones = {str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in calendar.walk("VTIMEZONE")}

    def instant(vevent, name):
        prop = vevent[name]
        moment = prop.dt
        tzid = prop.params.get("TZID")
        if tzid is not None:
            moment = moment.replace(tzinfo=zones[tzid])
        assert moment.tzinfo is not None, f"floating {name} in {vevent['UID']}"
        return moment.astimezone(UTC)

    return {
        str(vevent["UID"]): (instant(vevent, "DTSTART"), instant(vevent, "DTEND"))
        for vevent in calendar.walk("VEVENT")
    }


@contextmanager
def _vobject_knows_only_utc():
    """vobject keeps TZID -> tzinfo in a module-global map, first registration wins, and falls
    back to pytz by name. Empty it so each feed is read with its own VTIMEZONE."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    saved = dict(registry)
    registry.clear()
    registry["UTC"] = saved["UTC"]
    try:
        yield registry
    finally:
        registry.clear()
        registry.update(saved)


def vobject_instants(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    with _vobject_knows_only_utc():
        calendar = vobject.readOne(body.decode("utf-8"))
        found = {}
        for vevent in calendar.contents.get("vevent", []):
            start, end = vevent.dtstart.value, vevent.dtend.value
            for moment in (start, end):
                assert moment.tzinfo is not None, f"floating time in {vevent.uid.value}"
                assert "pytz" not in type(moment.tzinfo).__module__, "not the feed's VTIMEZONE"
            found[vevent.uid.value] = (start.astimezone(UTC), end.astimezone(UTC))
        return found


def _require_icaljs() -> str:
    required = os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI", "") not in (
        "",
        "0",
        "false",
    )
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "Node.js is not installed (ical.js runs on it)"
    elif not (ICALJS / "node_modules" / "ical.js" / "package.json").exists():
        reason = "ical.js is not installed: run `make icaljs` (npm ci --prefix tools/icaljs)"
    if reason is not None:
        if required:
            pytest.fail(f"REQUIRE_BROWSER=1 or CI is set, but {reason}")
        pytest.skip(reason)
    return node


@pytest.fixture(scope="session")
def node():
    return _require_icaljs()


def icaljs_read(node: str, body: bytes) -> dict[str, dict]:
    # TZ far from every zone under test: a time ical.js read as floating would come out wrong.
    result = subprocess.run(  # noqa: S603 - our own script, absolute path to node
        [node, str(ICALJS / "instants.mjs")],
        input=body,
        capture_output=True,
        env={**os.environ, "TZ": "Pacific/Chatham"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def icaljs_instants(node: str, body: bytes) -> dict[str, tuple[datetime, datetime]]:
    return {
        uid: (datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"]))
        for uid, event in icaljs_read(node, body).items()
    }


def disagreements(node: str, body: bytes, expected: dict) -> list[str]:
    """Every UID whose start or end any parser reads other than expected (UID -> start, end)."""
    readings = {
        "icalendar": icalendar_instants(body),
        "icalendar+VTIMEZONE": icalendar_vtimezone_instants(body),
        "vobject": vobject_instants(body),
        "ical.js": icaljs_instants(node, body),
    }
    problems = []
    for parser, instants in readings.items():
        if set(instants) != set(expected):
            problems.append(f"{parser}: UIDs {sorted(set(instants) ^ set(expected))}")
        for uid, (start, end) in expected.items():
            if uid in instants and instants[uid] != (start, end):
                got = " – ".join(moment.isoformat() for moment in instants[uid])
                problems.append(
                    f"{parser}: {uid} expected {start.isoformat()} – {end.isoformat()}, got {got}"
                )
    return problems


def stored_instants(events) -> dict[str, tuple[datetime, datetime]]:
    """UID -> (start, end) in UTC, as the database holds them."""
    rows = Event.objects.filter(pk__in=[e.pk for e in events]).values_list(
        "pk", "starts_at", "ends_at"
    )
    return {f"event-{pk}@{DOMAIN}": (s.astimezone(UTC), e.astimezone(UTC)) for pk, s, e in rows}


# --- Data ------------------------------------------------------------------------------------


@pytest.fixture
def group(db):
    return GroupFactory(
        name="Platform Cooperatives, NYC",
        tagline="Democratic ownership; of the online economy.",
        contact_email=CONTACT,
    )


@pytest.fixture
def venue(db):
    return VenueFactory(
        name="Union Hall",
        address="12 Example Street, 3rd floor",
        city="New York, NY",
        latitude=Decimal("40.712800"),
        longitude=Decimal("-74.006000"),
    )


def local(zone_name: str, *args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone_name)).replace(fold=fold)


@pytest.fixture
def rich_event(group, venue):
    """Guests (two shown), a moderator (not shown), a series, Markdown and a raised sequence."""
    event = EventFactory(
        group=group,
        venue=venue,
        series=SeriesFactory(group=group, name="Guest evenings"),
        title="Who owns the platform?",
        slug="who-owns-the-platform",
        summary="A conversation, with questions; and answers.",
        description="**Bold** and a [link](https://example.org).\n\nSecond paragraph.",
        starts_at=local("America/New_York", 2025, 9, 18, 18, 30),
        ends_at=local("America/New_York", 2025, 9, 18, 20, 45),
        sequence=2,
    )
    guests = [
        SpeakerFactory(name="Ada Lovelace", affiliation="Analytical, Engines"),
        SpeakerFactory(name="Bo Li", affiliation=""),
    ]
    for order, speaker in enumerate(guests):
        EventSpeaker.objects.create(
            event=event, speaker=speaker, role=SpeakerRole.GUEST, order=order
        )
    EventSpeaker.objects.create(
        event=event, speaker=SpeakerFactory(name="Mo Derator"), role=SpeakerRole.MODERATOR
    )
    return event


RICH_DESCRIPTION = (
    "A conversation, with questions; and answers.\n\n"
    "Bold and a link.\nSecond paragraph.\n\n"
    "With: Ada Lovelace (Analytical, Engines), Bo Li\n\n"
    f"{SITE}/events/who-owns-the-platform/"
)


def expected_vevent(event: Event, *, description: str, location: str, geo: str | None, status):
    lines = [
        f"UID:event-{event.pk}@{DOMAIN}",
        f"DTSTAMP:{STAMP}",
        f"CREATED:{STAMP}",
        f"LAST-MODIFIED:{STAMP}",
        f"SEQUENCE:{event.sequence}",
        time_line("DTSTART", event.starts_at, event.group.time_zone),
        time_line("DTEND", event.ends_at, event.group.time_zone),
        f"SUMMARY:{escape(event.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{SITE}/events/{event.slug}/",
        f"STATUS:{status}",
        "TRANSP:OPAQUE",
        f'ORGANIZER;CN="{event.group.name}":mailto:{CONTACT}',
        "CATEGORIES:" + ",".join(["Meetup"] + ([event.series.name] if event.series_id else [])),
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if geo:
        lines.append(f"GEO:{geo}")
    return by_name(lines)


def assert_calendar_properties(lines, *, name: str, description: str, zone_name: str):
    assert by_name(calendar_properties(lines)) == by_name(
        [
            "PRODID:-//Potluck//Potluck meetup calendar//EN",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"NAME:{escape(name)}",
            f"X-WR-CALNAME:{escape(name)}",
            f"X-WR-CALDESC:{escape(description)}",
            f"X-WR-TIMEZONE:{zone_name}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-PUBLISHED-TTL:PT1H",
        ]
    )


def assert_feed_rules(body: bytes, zone_name: str):
    """Rules every feed keeps whatever it holds."""
    assert fold_problems(body) == []
    lines = content_lines(body)
    assert [line for line in lines if line.startswith(("ATTENDEE", "BEGIN:VALARM"))] == []
    vtimezones = components(lines, "VTIMEZONE")
    tzids = {p for line in lines for p in re.findall(r";TZID=([^;:]+)", line)}
    assert tzids <= {zone_name}
    assert [by_name(vtz)["TZID"] for vtz in vtimezones] == (
        [[f"TZID:{zone_name}"]] if tzids else []
    )
    for vtz in vtimezones:
        assert "RDATE" not in by_name(vtz)
        for rule in components(vtz, "STANDARD") + components(vtz, "DAYLIGHT"):
            rrules = by_name(rule).get("RRULE", [])
            assert all(r.startswith("RRULE:FREQ=YEARLY;") for r in rrules), rrules
    for vevent in components(lines, "VEVENT"):
        props = by_name(vevent)
        for name in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
            assert re.fullmatch(rf"{name}:\d{{8}}T\d{{6}}Z", props[name][0]), props[name]
        for name in ("DTSTART", "DTEND"):
            (line,) = props[name]
            assert re.fullmatch(
                rf"{name}(;TZID={re.escape(zone_name)}:\d{{8}}T\d{{6}}|:\d{{8}}T\d{{6}}Z)", line
            ), line


# --- Content rules, line by line ---------------------------------------------------------------


def test_group_feed_content_lines_follow_every_rule(client, group, rich_event, venue):
    reserved = EventFactory(
        group=group,
        venue=venue,
        title="Members only address",
        slug="members-only-address",
        summary="",
        address_for_attendees_only=True,
        starts_at=local("America/New_York", 2025, 12, 4, 18, 30),
    )
    online = EventFactory(
        group=group,
        venue=None,
        title="Online evening",
        slug="online-evening",
        summary="",
        is_online=True,
        online_url="https://meet.example/secret",
        starts_at=local("America/New_York", 2026, 1, 8, 18, 30),
    )
    cancelled = EventFactory(
        group=group,
        venue=venue,
        title="Cancelled evening",
        slug="cancelled-evening",
        summary="",
        status=EventStatus.CANCELLED,
        sequence=1,
        starts_at=local("America/New_York", 2026, 2, 5, 18, 30),
    )
    EventFactory(group=group, status=EventStatus.DRAFT, title="Draft, not in any feed")

    response = client.get("/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert_feed_rules(body, "America/New_York")
    lines = content_lines(body)
    assert_calendar_properties(
        lines,
        name="Platform Cooperatives, NYC",
        description="Democratic ownership; of the online economy.",
        zone_name="America/New_York",
    )
    vevents = {by_name(v)["UID"][0]: by_name(v) for v in components(lines, "VEVENT")}
    assert vevents == {
        f"UID:event-{rich_event.pk}@{DOMAIN}": expected_vevent(
            rich_event,
            description=RICH_DESCRIPTION,
            location="Union Hall, 12 Example Street, 3rd floor, New York, NY",
            geo="40.7128;-74.006",
            status="CONFIRMED",
        ),
        f"UID:event-{reserved.pk}@{DOMAIN}": expected_vevent(
            reserved,
            description=f"{SITE}/events/members-only-address/",
            location="Union Hall, New York, NY",
            geo=None,
            status="CONFIRMED",
        ),
        f"UID:event-{online.pk}@{DOMAIN}": expected_vevent(
            online,
            description=f"{SITE}/events/online-evening/",
            location="Online",
            geo=None,
            status="CONFIRMED",
        ),
        f"UID:event-{cancelled.pk}@{DOMAIN}": expected_vevent(
            cancelled,
            description=f"{SITE}/events/cancelled-evening/",
            location="Union Hall, 12 Example Street, 3rd floor, New York, NY",
            geo="40.7128;-74.006",
            status="CANCELLED",
        ),
    }
    assert b"meet.example" not in body


def test_event_feed_content_lines_follow_every_rule(client, group, rich_event):
    EventFactory(group=group, title="Another event")

    response = client.get("/events/who-owns-the-platform/calendar.ics")

    assert response.status_code == 200
    body = response.content
    assert_feed_rules(body, "America/New_York")
    lines = content_lines(body)
    assert_calendar_properties(
        lines,
        name="Who owns the platform?",
        description="Platform Cooperatives, NYC",
        zone_name="America/New_York",
    )
    assert [by_name(v) for v in components(lines, "VEVENT")] == [
        expected_vevent(
            rich_event,
            description=RICH_DESCRIPTION,
            location="Union Hall, 12 Example Street, 3rd floor, New York, NY",
            geo="40.7128;-74.006",
            status="CONFIRMED",
        )
    ]


def test_personal_feed_marks_waitlisted_tentative_and_gives_the_going_event_its_link(
    client, group, venue
):
    member = MembershipFactory(group=group).user
    going = EventFactory(
        group=group,
        venue=venue,
        title="Going",
        slug="going",
        summary="",
        is_online=True,
        online_url="https://meet.example/room?id=1,2;x",
        address_for_attendees_only=True,
        starts_at=local("America/New_York", 2025, 10, 2, 18, 30),
    )
    waitlisted = EventFactory(
        group=group,
        venue=venue,
        title="Waitlisted",
        slug="waitlisted",
        summary="",
        is_online=True,
        online_url="https://meet.example/other",
        address_for_attendees_only=True,
        starts_at=local("America/New_York", 2025, 11, 6, 18, 30),
    )
    not_going = EventFactory(group=group, title="Not going")
    EventFactory(group=group, title="No answer")
    RSVP.objects.create(event=going, member=member, status=RSVPStatus.GOING)
    RSVP.objects.create(
        event=waitlisted,
        member=member,
        status=RSVPStatus.WAITLISTED,
        waitlisted_at=NOW,
        waitlist_seq=1,
    )
    RSVP.objects.create(event=not_going, member=member, status=RSVPStatus.NOT_GOING)

    response = client.get(f"/calendar/{member.calendar_token}.ics")

    assert response.status_code == 200
    body = response.content
    assert_feed_rules(body, "America/New_York")
    lines = content_lines(body)
    assert_calendar_properties(
        lines,
        name="Platform Cooperatives, NYC: my events",
        description="The events you are going to or waitlisted for.",
        zone_name="America/New_York",
    )
    vevents = {by_name(v)["UID"][0]: by_name(v) for v in components(lines, "VEVENT")}
    assert vevents == {
        f"UID:event-{going.pk}@{DOMAIN}": expected_vevent(
            going,
            description=(
                f"Join online: https://meet.example/room?id=1,2;x\n\n{SITE}/events/going/"
            ),
            location="Union Hall, 12 Example Street, 3rd floor, New York, NY",
            geo="40.7128;-74.006",
            status="CONFIRMED",
        ),
        f"UID:event-{waitlisted.pk}@{DOMAIN}": expected_vevent(
            waitlisted,
            description=f"{SITE}/events/waitlisted/",
            location="Union Hall, New York, NY",
            geo=None,
            status="TENTATIVE",
        ),
    }
    assert b"meet.example/other" not in body


# --- Text: escaping, folding, line endings ---------------------------------------------------


# A group name for a quoted parameter (ORGANIZER;CN="..."): quotes, a caret and a newline are
# written as RFC 6868 caret escapes. No backslash: parameter values have no backslash escapes in
# RFC 5545, yet icalendar and ical.js both unescape them there, so no feed can carry one in a CN
# that every parser reads back alike.
GROUP_NAME = 'The "Co-op" ^ Union, NYC; Кооператив 合作社 تعاونية 🎉🧑🏽‍🤝‍🧑🏾\nsecond line'


@pytest.fixture
def nasty_events(group):
    """Titles, summaries, descriptions, places and a series full of NASTY text, shifted by one
    character from event to event so that folds land at every offset of it."""
    group.name = GROUP_NAME
    group.tagline = NASTY[::-1][:200]
    group.save()
    venue = VenueFactory(name=NASTY[:200], address=NASTY[::-1][:300], city="Zürich; 東京")
    series = SeriesFactory(group=group, name=f"Series, with; {NASTY}"[:200])
    return [
        EventFactory(
            group=group,
            venue=venue,
            series=series,
            title=("x" * shift + NASTY)[:200],
            summary=("é" * shift + NASTY + NASTY)[:300],
            # Markdown reads backslashes as escapes of its own; the description is Markdown.
            description=f"{'y' * shift}{NASTY_MARKDOWN}\n\nMore: {NASTY_MARKDOWN}",
            starts_at=NOW + timedelta(days=30 + shift),
        )
        for shift in range(76)
    ]


NASTY_MARKDOWN = NASTY.replace("\\", "/")


def nasty_text(event: Event) -> dict:
    """What a reader should find in the event's TEXT values."""
    shift = len(event.description) - len(event.description.lstrip("y"))
    return {
        "summary": event.title,
        "description": (
            f"{event.summary}\n\n"
            f"{'y' * shift}{NASTY_MARKDOWN}\nMore: {NASTY_MARKDOWN}\n\n"
            f"{SITE}/events/{event.slug}/"
        ),
        "location": f"{event.venue.name}, {event.venue.address}, Zürich; 東京",
        "categories": ["Meetup", event.series.name],
    }


def test_nasty_text_folds_at_75_octets_and_never_inside_a_character_or_escape(client, nasty_events):
    body = client.get("/calendar.ics").content

    assert fold_problems(body) == []
    assert max(len(line) for line in physical_lines(body)) == 75
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")


def test_nasty_text_survives_a_round_trip_through_icalendar(client, group, nasty_events):
    body = client.get("/calendar.ics").content

    calendar = Calendar.from_ical(body)
    # CATEGORIES left out: icalendar's reader keeps some escapes in them (vobject and ical.js
    # read them right, below).
    read = {
        str(v["UID"]): {
            "summary": str(v["SUMMARY"]),
            "description": str(v["DESCRIPTION"]),
            "location": str(v["LOCATION"]),
            "organizer": v["ORGANIZER"].params["CN"],
        }
        for v in calendar.walk("VEVENT")
    }
    assert read == {
        ical.event_uid(event): {
            **{k: v for k, v in nasty_text(event).items() if k != "categories"},
            "organizer": GROUP_NAME,
        }
        for event in nasty_events
    }
    # icalendar reads NAME and X-WR-* as values of unknown type, escapes and all.
    assert [str(calendar[name]) for name in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC")] == [
        escape(GROUP_NAME),
        escape(GROUP_NAME),
        escape(group.tagline),
    ]


def test_nasty_text_survives_a_round_trip_through_vobject(client, group, nasty_events):
    body = client.get("/calendar.ics").content

    calendar = vobject.readOne(body.decode("utf-8"))
    assert {
        v.uid.value: {
            "summary": v.summary.value,
            "description": v.description.value,
            "location": v.location.value,
            "categories": v.categories.value,
        }
        for v in calendar.vevent_list
    } == {ical.event_uid(event): nasty_text(event) for event in nasty_events}
    assert [calendar.contents[name][0].value for name in ("name", "x-wr-calname")] == [
        GROUP_NAME,
        GROUP_NAME,
    ]
    assert calendar.contents["x-wr-caldesc"][0].value == group.tagline


def test_nasty_text_survives_a_round_trip_through_icaljs(client, node, nasty_events):
    body = client.get("/calendar.ics").content

    assert {
        uid: {
            "summary": event["summary"],
            "description": event["description"],
            "location": event["location"],
            "categories": event["categories"],
            "organizer": event["organizerName"],
        }
        for uid, event in icaljs_read(node, body).items()
    } == {
        ical.event_uid(event): nasty_text(event) | {"organizer": GROUP_NAME}
        for event in nasty_events
    }


def test_text_escaping_unit_keeps_every_backslash():
    """A focused check on the builder: backslashes people type before N or n stay backslashes."""
    for text in ["C:\\Notes", "C:\\new", "a\\,b", "a\\\\;b", "\\", "ends in \\"]:
        assert ical.Text(text).to_ical() == escape(text).encode()
    assert ical.Text("one\ntwo\r\nthree\rfour").to_ical() == b"one\\ntwo\\nthree\\nfour"


def test_fold_checker_catches_long_lines_and_folds_inside_a_character_or_escape():
    """The line checker used above, on hand-made lines: it finds what it looks for."""

    def problems(*lines: bytes) -> list[str]:
        body = b"".join(line + b"\r\n" for line in lines)
        return [problem.split(":")[0] for problem in fold_problems(body)]

    e_acute = "é".encode()
    assert problems(b"SUMMARY:ab\\\\", b" \\,c", b"X:" + b"x" * 73) == []
    assert problems(b"SUMMARY:ab\\", b" \\\\,c") == ["fold splits the escape b'\\\\\\\\'"]
    assert problems(b'ORGANIZER;CN="a^', b' n":mailto:a@b.c') == ["fold splits the escape b'^n'"]
    assert problems(b"SUMMARY:" + e_acute[:1], b" " + e_acute[1:]) == [
        "fold splits a UTF-8 character",
        "fold splits a UTF-8 character",
    ]
    assert problems(b"X:" + b"x" * 74) == ["76 octets"]


# --- Three parsers agree on every instant ---------------------------------------------------


def offset_changes(zone: ZoneInfo) -> list[tuple[datetime, timedelta, timedelta]]:
    """(UTC instant, offset before, offset after) of every change from 2026 through 2030."""
    changes = []
    day = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    while day < datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC):
        before = day.astimezone(zone).utcoffset()
        if (day + timedelta(days=1)).astimezone(zone).utcoffset() != before:
            moment = day
            while moment.astimezone(zone).utcoffset() == before:
                moment += timedelta(minutes=15)
            changes.append((moment, before, moment.astimezone(zone).utcoffset()))
        day += timedelta(days=1)
    return changes


NIGHT_TIMES = [(0, 30), (1, 30), (2, 30), (3, 0), (3, 30)]


def starts_around_changes(zone_name: str) -> list[datetime]:
    """Start instants on the day before, the night of and the day after every change of offset:
    18:30 either side, 00:30 to 03:30 on the night, and the middle of the hour that is skipped
    or repeated, each wall time read with fold 0 and 1 (both occurrences of a repeated one).
    A zone without changes gets the nights New York changes on.
    """
    zone = ZoneInfo(zone_name)
    own = offset_changes(zone)
    walls: list[datetime] = []
    for at, before, after in own or offset_changes(ZoneInfo("America/New_York")):
        night = (at + before).date()
        walls += [
            datetime.combine(night - timedelta(days=1), time(18, 30)),
            datetime.combine(night + timedelta(days=1), time(18, 30)),
        ]
        walls += [datetime.combine(night, time(hour, minute)) for hour, minute in NIGHT_TIMES]
        if own:
            walls.append((at + min(before, after) + abs(after - before) / 2).replace(tzinfo=None))
    starts = {
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for wall in walls for fold in (0, 1)
    }
    return sorted(starts)


@pytest.mark.parametrize("zone_name", ZONES)
def test_three_parsers_agree_on_every_instant_around_offset_changes(client, node, zone_name):
    group = GroupFactory(time_zone=zone_name, contact_email=CONTACT)
    venue = VenueFactory()
    zone = ZoneInfo(zone_name)
    events = [
        EventFactory(group=group, venue=venue, starts_at=start, ends_at=start + timedelta(hours=2))
        for start in starts_around_changes(zone_name)
    ]
    changes = offset_changes(zone)
    if zone_name != "Asia/Kolkata":
        assert len(changes) == 2 * (LAST_YEAR - FIRST_YEAR + 1)
        # Both occurrences of a repeated wall time, every year.
        in_repeated_hour = [e for e in events if repeats(e.starts_at.astimezone(zone))]
        assert len({e.starts_at.astimezone(zone).year for e in in_repeated_hour}) == 5
        assert {e.starts_at.astimezone(zone).fold for e in in_repeated_hour} == {0, 1}

    response = client.get("/calendar.ics")

    body = response.content
    assert_feed_rules(body, zone_name)
    expected = stored_instants(events)
    assert len(expected) == len(events) >= 50
    assert disagreements(node, body, expected) == []
    lines = content_lines(body)
    for event in events:
        assert time_line("DTSTART", event.starts_at, zone_name) in lines


def test_three_parsers_agree_on_the_single_event_personal_and_series_feeds(client, node, group):
    member = MembershipFactory(group=group).user
    series = SeriesFactory(group=group)
    going = EventFactory(
        group=group, series=series, starts_at=local("America/New_York", 2026, 11, 1, 1, 30)
    )
    later = EventFactory(
        group=group, series=series, starts_at=local("America/New_York", 2026, 3, 8, 3, 0)
    )
    EventFactory(group=group, starts_at=local("America/New_York", 2026, 3, 9, 18, 0))
    RSVP.objects.create(event=going, member=member, status=RSVPStatus.GOING)
    RSVP.objects.create(
        event=later, member=member, status=RSVPStatus.WAITLISTED, waitlisted_at=NOW, waitlist_seq=1
    )

    for url, events in [
        (f"/events/{going.slug}/calendar.ics", [going]),
        (f"/calendar/{member.calendar_token}.ics", [going, later]),
        (f"/series/{series.slug}/calendar.ics", [going, later]),
    ]:
        body = client.get(url).content
        assert_feed_rules(body, "America/New_York")
        assert disagreements(node, body, stored_instants(events)) == []


def test_three_parsers_agree_on_the_full_history_feed(client, node, group):
    """Years later, the group feed keeps its last twelve months; /calendar/all.ics keeps every
    event, around every change of offset from 2026 to 2030, and reads the same everywhere."""
    events = [
        EventFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
        for start in starts_around_changes("America/New_York")
    ]
    with time_machine.travel(datetime(2031, 9, 1, tzinfo=UTC), tick=False):
        recent = [e for e in events if e.starts_at >= datetime(2030, 9, 1, tzinfo=UTC)]
        assert 0 < len(recent) < len(events)
        windowed = client.get("/calendar.ics").content
        assert set(icalendar_instants(windowed)) == set(stored_instants(recent))
        body = client.get("/calendar/all.ics").content

    assert_feed_rules(body, "America/New_York")
    assert_calendar_properties(
        content_lines(body),
        name="Platform Cooperatives, NYC: all events",
        description=group.tagline,
        zone_name="America/New_York",
    )
    assert disagreements(node, body, stored_instants(events)) == []


def test_a_wrong_vtimezone_is_caught_by_the_parsers_that_read_it(client, node):
    """Negative control: swap TZOFFSETFROM and TZOFFSETTO and the comparison must object."""
    group = GroupFactory(time_zone="Europe/Berlin", contact_email=CONTACT)
    events = [
        EventFactory(group=group, starts_at=local("Europe/Berlin", 2026, month, 10, 18, 30))
        for month in (1, 7)
    ]
    body = client.get("/calendar.ics").content
    expected = stored_instants(events)
    assert disagreements(node, body, expected) == []

    swapped = re.sub(
        rb"TZOFFSETFROM:([+-]\d{4})\r\nTZOFFSETTO:([+-]\d{4})",
        rb"TZOFFSETFROM:\2\r\nTZOFFSETTO:\1",
        body,
    )
    assert swapped != body
    problems = disagreements(node, swapped, expected)

    # icalendar resolves the TZID by name in its own zone database, so only the readers of the
    # VTIMEZONE notice; each of them gets both events wrong, by an hour.
    assert sorted({problem.split(":")[0] for problem in problems}) == [
        "ical.js",
        "icalendar+VTIMEZONE",
        "vobject",
    ]
    assert len(problems) == 6
    uid = f"event-{events[0].pk}@{DOMAIN}"
    assert (
        f"vobject: {uid} expected 2026-01-10T17:30:00+00:00 – 2026-01-10T19:30:00+00:00, "
        "got 2026-01-10T16:30:00+00:00 – 2026-01-10T18:30:00+00:00"
    ) in problems


def test_icaljs_is_required_in_ci(monkeypatch, tmp_path):
    """Without Node or the npm package, the ical.js tests skip locally and fail in CI."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Node\.js is not installed"):
        _require_icaljs()
    for variable, value in [("REQUIRE_BROWSER", "1"), ("CI", "true")]:
        monkeypatch.setenv(variable, value)
        with pytest.raises(pytest.fail.Exception, match=r"Node\.js is not installed"):
            _require_icaljs()
        monkeypatch.delenv(variable)

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/node")
    monkeypatch.setitem(globals(), "ICALJS", tmp_path)
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match=r"ical\.js is not installed"):
        _require_icaljs()


def test_vtimezone_unit_uses_yearly_rules_for_every_zone():
    """A focused check on the builder: RRULEs only, one STANDARD and one DAYLIGHT per DST zone."""
    for zone_name in ZONES:
        text = ical.vtimezone(zone_name, 2025, 2031).to_ical().decode()
        lines = text.split("\r\n")
        assert not any(line.startswith("RDATE") for line in lines)
        rules = [line for line in lines if line.startswith("RRULE")]
        assert all(rule.startswith("RRULE:FREQ=YEARLY;") for rule in rules)
        expected_rules = 0 if zone_name == "Asia/Kolkata" else 2
        assert len(rules) == expected_rules, (zone_name, text)


def test_dates_cover_2026_to_2030():
    """Guard for the data above: every offset change 2026-2030 is found, in local dates."""
    found = [(at + before).date() for at, before, _ in offset_changes(ZoneInfo("Australia/Sydney"))]
    assert found == [
        date(2026, 4, 5),
        date(2026, 10, 4),
        date(2027, 4, 4),
        date(2027, 10, 3),
        date(2028, 4, 2),
        date(2028, 10, 1),
        date(2029, 4, 1),
        date(2029, 10, 7),
        date(2030, 4, 7),
        date(2030, 10, 6),
    ]
