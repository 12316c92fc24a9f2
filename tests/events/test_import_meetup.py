"""A Meetup group's own feed (PRODID -//Meetup//RemoteApi//EN): its zone from X-LIC-LOCATION, its
UIDs, its description boilerplate, its "Venue (street, city, ST, country)" locations, a cancelled
date and a date across the end of daylight saving time; and the address check on fetched feeds."""

import http.server
import io
import threading
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core import outbound
from events.importer import events_import_ics, events_import_preview
from events.meetup import meetup_id, split_location
from events.models import Event, Venue
from groups.models import Role
from tests.conftest import organizers_group
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED_TIMES = {
    # 18:30 EDT on 10 March 2026 (DST began on the 8th): UTC-4.
    "event_301000001@meetup.com": (
        datetime(2026, 3, 10, 22, 30, tzinfo=UTC),
        datetime(2026, 3, 11, 0, 30, tzinfo=UTC),
    ),
    # 00:30 EDT to 03:00 EST across the night clocks go back: three and a half hours.
    "event_301000002@meetup.com": (
        datetime(2026, 11, 1, 4, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    ),
    # 18:30 EST on 9 March 2027, before DST (14 March 2027): UTC-5.
    "event_301000003@meetup.com": (
        datetime(2027, 3, 9, 23, 30, tzinfo=UTC),
        datetime(2027, 3, 10, 1, 30, tzinfo=UTC),
    ),
    # 18:30 EDT on 16 March 2027, after it: UTC-4.
    "event_301000004@meetup.com": (
        datetime(2027, 3, 16, 22, 30, tzinfo=UTC),
        datetime(2027, 3, 17, 1, 0, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("name", ["meetup_group.ics", "meetup_group_lic_location.ics"])
def test_meetup_feed_times_follow_the_iana_zone(group, name):
    """The second file names its zone "Eastern Standard Time" and carries stale pre-2007 rules
    in its VTIMEZONE: X-LIC-LOCATION's IANA zone decides, so both files give the same instants."""
    result = events_import_ics(data=(FIXTURES / name).read_bytes(), group=group)
    assert (result.created, result.updated, result.skipped) == (4, 0, 0)
    times = {e.import_uid: (e.starts_at, e.ends_at) for e in Event.objects.all()}
    assert times == EXPECTED_TIMES


def test_meetup_feed_fields(group):
    events_import_ics(data=(FIXTURES / "meetup_group.ics").read_bytes(), group=group)
    events = {meetup_id(e.import_uid): e for e in Event.objects.select_related("venue")}
    assert sorted(events) == ["301000001", "301000002", "301000003", "301000004"]
    first = events["301000001"]
    assert first.title == "Cooperatives 101"
    # Meetup's group-name line, date line and trailing URL are gone; the URL is the source.
    assert first.description == (
        "A first evening for people new to co-ops: what they are, how they decide, how they share."
    )
    assert first.source_url == "https://www.meetup.com/platform-coops-nyc/events/301000001/"
    assert (first.venue.name, first.venue.address, first.venue.city) == (
        "The Commons Room",
        "100 Example Street, New York, NY",
        "New York",
    )
    assert events["301000004"].venue == first.venue  # one venue, met twice
    assert (events["301000003"].status, events["301000003"].venue) == ("cancelled", None)
    assert events["301000003"].description == "Cancelled: our guest could not make it."
    assert {e.status for k, e in events.items() if k != "301000003"} == {"published"}
    assert Venue.objects.count() == 2


def test_meetup_feed_preview_writes_nothing_and_then_sees_changes(group):
    data = (FIXTURES / "meetup_group.ics").read_bytes()
    planned = events_import_preview(data=data, group=group)
    assert [(row.action, row.title) for row in planned] == [
        ("create", "Cooperatives 101"),
        ("create", "Late-night hack night (clocks go back)"),
        ("create", "Data Trusts Night"),
        ("create", "Spring assembly"),
    ]
    assert Event.objects.count() == 0
    events_import_ics(data=data, group=group)
    changed = data.replace(b"SUMMARY:Spring assembly", b"SUMMARY:Spring assembly (new room)")
    changed = changed.replace(
        b"Spring assembly (new room)\r\nDESCRIPTION", b"Spring assembly (new room)\r\nDESCRIPTION"
    )
    planned = events_import_preview(data=changed, group=group)
    assert [(row.action, row.changes) for row in planned] == [
        ("unchanged", []),
        ("unchanged", []),
        ("unchanged", []),
        ("update", ["title"]),
    ]
    result = events_import_ics(data=changed, group=group)
    assert (result.created, result.updated, result.skipped) == (0, 1, 3)


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            "The Commons Room (100 Example Street, New York, NY, us)",
            ("The Commons Room", "100 Example Street, New York, NY", "New York"),
        ),
        ("Cafe (5 Rue X, Lyon, fr)", ("Cafe", "5 Rue X, Lyon, fr", "")),
        (
            "Cafe Solidarity, 5 Mutual Aid Ave, Brooklyn",
            ("Cafe Solidarity", "5 Mutual Aid Ave, Brooklyn", ""),
        ),
    ],
)
def test_split_location(location, expected):
    assert split_location(location) == expected


def test_command_preview_changes_nothing(group):
    out = io.StringIO()
    call_command("import_ics", str(FIXTURES / "meetup_group.ics"), "--preview", stdout=out)
    assert out.getvalue().splitlines() == [
        "create: 2026-03-10 18:30 Cooperatives 101",
        "create: 2026-11-01 00:30 Late-night hack night (clocks go back)",
        "create: 2027-03-09 18:30 Data Trusts Night",
        "create: 2027-03-16 18:30 Spring assembly",
    ]
    assert Event.objects.count() == 0


@pytest.fixture
def feed_server():
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.51", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.51:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_command_refuses_a_loopback_feed_unless_allowed(group, feed_server):
    with pytest.raises(CommandError) as error:
        call_command("import_ics", f"{feed_server}/meetup_group.ics")
    assert "127.0.0.51 is a private or local address" in str(error.value)
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.ics",
        "http://10.1.2.3/feed.ics",
        "http://192.168.0.1/feed.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed.ics",
        "http://localhost/feed.ics",
        "http://[::ffff:127.0.0.1]/feed.ics",
    ],
)
def test_fetch_refuses_private_addresses(url):
    with pytest.raises(ValidationError) as error:
        outbound.fetch(url, max_bytes=1000, timeout=2)
    assert "is a private or local address" in error.value.messages[0]


def test_fetch_refuses_a_file_over_the_limit(feed_server):
    with pytest.raises(ValidationError) as error:
        outbound.fetch(
            f"{feed_server}/meetup_group.ics", max_bytes=1000, timeout=5, allow_private=True
        )
    assert error.value.messages == [f"The file at {feed_server}/meetup_group.ics is too large."]


def test_fetch_gives_up_on_a_silent_server():
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.52", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(ValidationError) as error:
            outbound.fetch(
                f"http://127.0.0.52:{silent.getsockname()[1]}/x.ics",
                max_bytes=1000,
                timeout=1,
                allow_private=True,
            )
    finally:
        silent.close()
    assert error.value.messages[0].startswith("Could not download")


def test_admin_url_is_fetched_refused_when_private(client, organizer, feed_server):
    client.force_login(organizer)
    response = client.post(
        "/admin/events/event/import/", {"url": f"{feed_server}/meetup_group.ics"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["url"] == [
        "127.0.0.51 is a private or local address; only public addresses are fetched."
    ]


def test_admin_url_preview_and_confirm(client, organizer, feed_server, settings):
    settings.POTLUCK_FETCH_ALLOW_PRIVATE = True  # the test's feed is on loopback
    client.force_login(organizer)
    preview = client.post("/admin/events/event/import/", {"url": f"{feed_server}/meetup_group.ics"})
    assert preview.status_code == 200
    assert preview.context["counts"] == {"create": 4, "update": 0, "unchanged": 0}
    assert b"Late-night hack night" in preview.content
    client.post("/admin/events/event/import/", {"token": preview.context["token"]})
    assert Event.objects.count() == 4


def test_admin_needs_a_file_or_an_address(client, organizer):
    client.force_login(organizer)
    response = client.post("/admin/events/event/import/", {})
    assert response.context["form"].non_field_errors() == [
        "Upload a file or give an address (one of them)."
    ]
    upload = SimpleUploadedFile("x.ics", (FIXTURES / "meetup_group.ics").read_bytes())
    both = client.post(
        "/admin/events/event/import/", {"file": upload, "url": "https://example.com/x.ics"}
    )
    assert both.context["form"].non_field_errors() == [
        "Upload a file or give an address (one of them)."
    ]


def test_another_organizers_token_imports_nothing(client, organizer, group):
    client.force_login(organizer)
    upload = SimpleUploadedFile("x.ics", (FIXTURES / "meetup_group.ics").read_bytes())
    token = client.post("/admin/events/event/import/", {"file": upload}).context["token"]
    other = UserFactory(is_staff=True)
    other.groups.add(organizers_group())
    MembershipFactory(group=group, user=other, role=Role.ORGANIZER)
    client.force_login(other)
    client.post("/admin/events/event/import/", {"token": token})
    assert Event.objects.count() == 0


def _feed(count: int) -> bytes:
    """Meetup's shape with `count` events (the first fixture's VTIMEZONE and one VEVENT each)."""
    text = (FIXTURES / "meetup_group.ics").read_text()
    head, _sep, rest = text.partition("BEGIN:VEVENT")
    event = "BEGIN:VEVENT" + rest.split("END:VEVENT")[0] + "END:VEVENT\r\n"
    events = "".join(
        event.replace("event_301000001@", f"event_{400000000 + n}@").replace(
            "20260310T", f"2026{3 + n // 28:02d}{1 + n % 28:02d}T"
        )
        for n in range(count)
    )
    return (head + events + "END:VCALENDAR\r\n").encode()


@pytest.mark.parametrize("count", [4, 40])
def test_admin_preview_query_count_does_not_grow(
    client, organizer, count, django_assert_num_queries
):
    client.force_login(organizer)
    upload = SimpleUploadedFile("x.ics", _feed(count))
    with django_assert_num_queries(9):
        response = client.post("/admin/events/event/import/", {"file": upload})
    assert len(response.context["planned"]) == count
