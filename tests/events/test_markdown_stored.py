"""Every writer of an event, speaker, series or breakout stores its rendered Markdown."""

import importlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from events import services
from events.demo import seed_events
from events.importer import events_import_ics
from events.models import Breakout, Event, Series, Speaker
from tests.factories import BreakoutFactory, EventFactory, SeriesFactory, SpeakerFactory
from tests.markdown_checks import out_of_step

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
TEXT = "We talk about **ownership**."
HTML = "<p>We talk about <strong>ownership</strong>.</p>"
CHANGED = "Now with a [link](https://example.org)."
CHANGED_HTML = (
    '<p>Now with a <a href="https://example.org" rel="nofollow noopener noreferrer">link</a>.</p>'
)


def test_event_save_stores_html_and_text_on_create_and_change(group, organizer):
    now = timezone.now()
    event = Event(
        group=group,
        title="T",
        slug="t",
        description=TEXT,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
    )
    services.event_save(event=event, by=organizer)
    assert out_of_step(event) == []
    assert (event.description_html, event.description_text) == (HTML, "We talk about ownership.")
    event.description = CHANGED
    services.event_save(event=event, by=organizer, changed_fields=["description"])
    assert out_of_step(event) == []
    assert (event.description_html, event.description_text) == (CHANGED_HTML, "Now with a link.")


def test_duplicate_stores_the_copys_html(group, organizer):
    event = EventFactory(description=TEXT)
    BreakoutFactory(event=event, topic="Pay", notes=TEXT, notes_published=True)
    Event.objects.filter(pk=event.pk).update(description_html="stale")  # written long ago
    copy = services.event_duplicate_to_next(event=event, by=organizer)
    assert out_of_step(copy, *copy.breakouts.all()) == []
    assert copy.description_html == HTML


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:markdown@example.org
DTSTART:20260908T223000Z
DTEND:20260909T003000Z
SUMMARY:Imported
DESCRIPTION:{description}
END:VEVENT
END:VCALENDAR
"""


def test_importer_stores_html_on_create_and_update(group):
    events_import_ics(data=ICS.format(description=TEXT).encode(), group=group)
    event = Event.objects.get(import_uid="markdown@example.org")
    assert out_of_step(event) == []
    assert (event.description_html, event.description_text) == (HTML, "We talk about ownership.")
    result = events_import_ics(data=ICS.format(description=CHANGED).encode(), group=group)
    assert (result.created, result.updated) == (0, 1)
    assert out_of_step(event) == []
    assert event.description_html == CHANGED_HTML


def _event_form(event, *, breakouts=(), initial=0):
    data = {
        "group": event.group_id,
        "title_en": event.title,
        "title_es": "",
        "slug": event.slug,
        "summary_en": event.summary,
        "summary_es": "",
        "description_en": event.description,
        "description_es": "",
        "status": event.status,
        "starts_at": event.starts_at.astimezone(NY).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(NY).strftime("%Y-%m-%dT%H:%M"),
        "venue": "",
        "online_url": "",
        "capacity": "",
        "max_guests": 0,
        "series": "",
    }
    for prefix in ("event_speakers", "agenda_items"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"breakouts-TOTAL_FORMS": len(breakouts), "breakouts-INITIAL_FORMS": initial})
    for number, fields in enumerate(breakouts):
        values = {"order": number, "capacity": "", "facilitator": "", "facilitator_name": ""}
        data.update({f"breakouts-{number}-{k}": v for k, v in {**values, **fields}.items()})
    return data


def test_admin_add_stores_the_event_html(client, group, organizer):
    client.force_login(organizer)
    starts_at = datetime(2026, 10, 13, 18, 30, tzinfo=NY)
    new = Event(
        group=group,
        title="Added",
        slug="added",
        description=TEXT,
        status="draft",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )
    # A new event's breakouts have no notes yet (shown once the event has ended).
    data = _event_form(new, breakouts=[{"topic_en": "Pay", "prompt_en": "How?"}])
    response = client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="added")
    assert out_of_step(event, *event.breakouts.all()) == []
    assert (event.description_html, [b.notes_html for b in event.breakouts.all()]) == (HTML, [""])


def test_admin_change_stores_event_and_inline_breakout_html(client, group, organizer):
    event = EventFactory(description="Old.", starts_at=timezone.now() - timedelta(days=3))
    kept = BreakoutFactory(event=event, topic="Kept", notes="Old notes.")
    client.force_login(organizer)
    event.description = TEXT
    data = _event_form(
        event,
        breakouts=[
            {
                "id": kept.pk,
                "event": event.pk,
                "topic_en": "Kept",
                "notes": CHANGED,
                "notes_published": "on",
            },
            {"topic_en": "Added", "notes": TEXT, "notes_published": "on"},
        ],
        initial=1,
    )
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    breakouts = list(event.breakouts.order_by("order"))
    assert out_of_step(event, *breakouts) == []
    assert [(b.topic, b.notes_html) for b in breakouts] == [
        ("Kept", CHANGED_HTML),
        ("Added", HTML),
    ]
    assert event.description_html == HTML


def _speaker_form(**fields):
    return {
        "name": "Ada",
        "slug": "ada",
        "affiliation": "",
        "member": "",
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        **fields,
    }


def test_admin_add_and_change_store_the_speaker_bio_html(client, organizer):
    client.force_login(organizer)
    response = client.post(reverse("admin:events_speaker_add"), _speaker_form(bio_en=TEXT))
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker = Speaker.objects.get(slug="ada")
    assert (out_of_step(speaker), speaker.bio_html) == ([], HTML)
    url = reverse("admin:events_speaker_change", args=[speaker.pk])
    response = client.post(url, _speaker_form(bio_en=CHANGED))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (out_of_step(speaker), speaker.bio_html) == ([], CHANGED_HTML)


def _series_form(group, **fields):
    return {
        "group": group.pk,
        "name_en": "Monthly",
        "slug": "monthly",
        "cadence_en": "",
        "recurrence": "monthly_weekday",
        "default_venue": "",
        **fields,
    }


def test_admin_add_and_change_store_the_series_html(client, group, organizer):
    client.force_login(organizer)
    response = client.post(
        reverse("admin:events_series_add"), _series_form(group, description_en=TEXT)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    series = Series.objects.get(slug="monthly")
    assert (out_of_step(series), series.description_html) == ([], HTML)
    url = reverse("admin:events_series_change", args=[series.pk])
    response = client.post(url, _series_form(group, description_en=CHANGED))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (out_of_step(series), series.description_html) == ([], CHANGED_HTML)


def test_demo_events_store_the_html(group):
    seed_events(group)
    rows = [
        *Event.objects.all(),
        *Series.objects.all(),
        *Speaker.objects.all(),
        *Breakout.objects.all(),
    ]
    assert out_of_step(*rows) == []
    assert sorted(type(row).__name__ for row in rows if row.html[row.MARKDOWN_FIELDS[0]]) == [
        "Breakout",
        "Breakout",
        "Event",
        "Event",
        "Series",
        "Speaker",
    ]


def test_data_migration_fills_rows_written_before(group):
    migration = importlib.import_module("events.migrations.0010_markdown_html")
    event = EventFactory(description=TEXT)
    rows = [
        event,
        SeriesFactory(description=TEXT),
        SpeakerFactory(bio=TEXT),
        BreakoutFactory(event=event, notes=TEXT),
        EventFactory(description=""),
    ]
    Event.objects.update(description_html="stale")
    Series.objects.update(description_html="stale")
    Speaker.objects.update(bio_html="stale")
    Breakout.objects.update(notes_html="stale")
    migration.fill_markdown_html(apps, None)
    assert out_of_step(*rows) == []
    assert [getattr(row, f"{row.MARKDOWN_FIELDS[0]}_html") for row in rows] == [HTML] * 4 + [""]


def test_atom_feed_and_json_ld_read_the_stored_plain_text(client, group):
    event = EventFactory(summary="", description=TEXT, starts_at=timezone.now() + timedelta(days=2))
    assert event.description_text == "We talk about ownership."
    Event.objects.filter(pk=event.pk).update(description_text="As stored.")
    feed = ET.fromstring(client.get("/events/feed.atom").content)
    [summary] = feed.findall("a:entry/a:summary", {"a": "http://www.w3.org/2005/Atom"})
    assert summary.text.endswith("\n\nAs stored.")
    page = client.get(event.get_absolute_url()).content.decode()
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(data.group(1))["description"] == "As stored."
