"""Importing another calendar's export: idempotent on UID, all or nothing."""

import http.server
import io
import threading
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from events.models import Event, Venue

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def _import(name: str) -> str:
    out = io.StringIO()
    call_command("import_ics", str(FIXTURES / name), stdout=out)
    return out.getvalue().strip()


def test_import_maps_fields(group):
    assert _import("meetup_export.ics") == "3 created, 0 updated, 0 skipped"
    events = {e.import_uid: e for e in Event.objects.all()}
    talk = events["event_123@meetups.example.com"]
    assert talk.title == "Worker Cooperatives and the City"
    assert talk.starts_at == datetime(2026, 9, 8, 22, 30, tzinfo=UTC)  # 18:30 EDT
    assert talk.ends_at == datetime(2026, 9, 9, 0, 30, tzinfo=UTC)
    assert talk.status == "published"
    assert talk.source_url == "https://meetups.example.com/platform-coops-nyc/events/123/"
    # The folded, escaped description is unfolded and unescaped.
    assert talk.description == (
        "Each month we host a guest to start a conversation that reflects cooperative values."
        "\n\nThis month we speak with a guest from the city's worker cooperative programme, "
        "then break into discussions; bring your questions!"
    )
    assert (talk.venue.name, talk.venue.address) == (
        "The Commons Room",
        "100 Example Street, New York, NY",
    )
    cancelled = events["event_124@meetups.example.com"]
    assert (cancelled.status, cancelled.venue) == ("cancelled", None)
    social = events["event_125@meetups.example.com"]
    assert social.starts_at == datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert (social.venue.name, social.venue.address) == (
        "Cafe Solidarity",
        "5 Mutual Aid Ave, Brooklyn",
    )


def test_second_import_updates_never_duplicates(group):
    _import("meetup_export.ics")
    assert _import("meetup_export.ics") == "0 created, 0 updated, 3 skipped"
    assert _import("meetup_export_updated.ics") == "0 created, 1 updated, 2 skipped"
    assert Event.objects.count() == 3
    assert Venue.objects.count() == 2
    talk = Event.objects.get(import_uid="event_123@meetups.example.com")
    assert talk.title == "Worker Cooperatives and the City (new room)"
    assert talk.starts_at == datetime(2026, 9, 8, 23, 0, tzinfo=UTC)
    assert talk.sequence == 1  # rescheduled: calendars must notice


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed_event.ics", "event 2 (event_201@meetups.example.com) has an unreadable start"),
        ("not_a_calendar.ics", "This is not a valid iCalendar file"),
        ("missing.ics", "There is no file at"),
    ],
)
def test_malformed_file_imports_nothing(group, name, message):
    with pytest.raises(CommandError) as error:
        _import(name)
    assert str(error.value).startswith("Nothing was imported. ")
    assert message in str(error.value)
    assert Event.objects.count() == 0
    assert Venue.objects.count() == 0


def test_import_from_url(group):
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        out = io.StringIO()
        call_command(
            "import_ics",
            f"http://127.0.0.1:{server.server_port}/meetup_export.ics",
            "--allow-private",
            stdout=out,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert out.getvalue().strip() == "3 created, 0 updated, 0 skipped"


def test_admin_upload_previews_then_imports_on_confirm(client, organizer):
    client.force_login(organizer)
    assert client.get("/admin/events/event/import/").status_code == 200
    upload = SimpleUploadedFile("export.ics", (FIXTURES / "meetup_export.ics").read_bytes())
    preview = client.post("/admin/events/event/import/", {"file": upload})
    assert preview.status_code == 200
    assert [row.action for row in preview.context["planned"]] == ["create"] * 3
    assert Event.objects.count() == 0  # nothing changes before the confirm
    response = client.post(
        "/admin/events/event/import/", {"token": preview.context["token"]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Import done: 3 created, 0 updated, 0 skipped."
    ]
    assert Event.objects.count() == 3
    # The token is spent: posting it again imports nothing and says why.
    again = client.post(
        "/admin/events/event/import/", {"token": preview.context["token"]}, follow=True
    )
    assert [str(m) for m in again.context["messages"]] == [
        "That preview expired; please start again."
    ]


def test_admin_upload_error_next_to_the_field(client, organizer):
    client.force_login(organizer)
    upload = SimpleUploadedFile("bad.ics", (FIXTURES / "malformed_event.ics").read_bytes())
    response = client.post("/admin/events/event/import/", {"file": upload})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors[0].startswith("event 2 (event_201@meetups.example.com) has an unreadable start")
    assert Event.objects.count() == 0


def test_members_cannot_import(client, member):
    client.force_login(member)
    response = client.get("/admin/events/event/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
