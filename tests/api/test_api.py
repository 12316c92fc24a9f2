"""The read-only API: what it lists, in which order, and that it shows a visitor's view only."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import EventSpeaker, EventStatus, SpeakerLink, SpeakerRole
from tests.factories import (
    BreakoutFactory,
    EventFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def _get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def _slugs(page):
    return [row["slug"] for row in page["results"]]


def test_root_links_every_endpoint(client, group):
    assert _get(client, "/api/") == {
        "events": "http://127.0.0.1:8000/api/events/",
        "past_events": "http://127.0.0.1:8000/api/events/?when=past",
        "series": "http://127.0.0.1:8000/api/series/",
        "speakers": "http://127.0.0.1:8000/api/speakers/",
        "openapi": "http://127.0.0.1:8000/api/openapi.json",
        "docs": "http://127.0.0.1:8000/api/docs/",
    }


def test_events_upcoming_soonest_first_and_past_most_recent_first(client, group):
    now = timezone.now()
    later = EventFactory(slug="later", starts_at=now + timedelta(days=9))
    sooner = EventFactory(slug="sooner", starts_at=now + timedelta(days=2))
    # Under way: upcoming until it ends (events' one rule).
    EventFactory(slug="now", starts_at=now - timedelta(hours=1))
    EventFactory(slug="old", starts_at=now - timedelta(days=30))
    EventFactory(slug="recent", starts_at=now - timedelta(days=3))
    assert _slugs(_get(client, "/api/events/")) == ["now", sooner.slug, later.slug]
    assert _slugs(_get(client, "/api/events/?when=past")) == ["recent", "old"]


def test_events_never_lists_drafts_but_lists_cancelled(client, group):
    EventFactory(slug="draft", status=EventStatus.DRAFT)
    EventFactory(slug="cancelled", status=EventStatus.CANCELLED)
    EventFactory(slug="published")
    page = _get(client, "/api/events/")
    assert sorted(_slugs(page)) == ["cancelled", "published"]
    assert {row["slug"]: row["status"] for row in page["results"]}["cancelled"] == "cancelled"


def test_draft_is_not_found_by_slug_or_id(client, group):
    draft = EventFactory(slug="draft", status=EventStatus.DRAFT)
    for ref in ("draft", str(draft.pk)):
        response = client.get(f"/api/events/{ref}/")
        assert response.status_code == 404
        assert json.loads(response.content) == {"detail": "No such event."}


def test_signed_in_organizer_gets_the_visitors_answer(client, group, organizer):
    """Cookies are dropped before the session: drafts stay out even for an organizer."""
    EventFactory(slug="draft", status=EventStatus.DRAFT)
    EventFactory(slug="public")
    client.force_login(organizer)
    response = client.get("/api/events/")
    assert _slugs(json.loads(response.content)) == ["public"]
    assert client.get("/api/events/draft/").status_code == 404
    assert "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"] == "public, max-age=60"
    assert response.cookies == {}


def test_event_address_for_attendees_only_shows_the_city_alone(client, group):
    venue = VenueFactory(name="Hall", address="1 Secret Street", city="Brooklyn")
    venue.latitude, venue.longitude = 40.1, -73.9
    venue.save()
    EventFactory(slug="hidden", venue=venue, address_for_attendees_only=True)
    EventFactory(slug="open", venue=venue)
    rows = {row["slug"]: row["venue"] for row in _get(client, "/api/events/")["results"]}
    assert rows["hidden"] == {
        "name": "Hall",
        "city": "Brooklyn",
        "address": "",
        "latitude": None,
        "longitude": None,
    }
    assert rows["open"] == {
        "name": "Hall",
        "city": "Brooklyn",
        "address": "1 Secret Street, Brooklyn",
        "latitude": 40.1,
        "longitude": -73.9,
    }
    assert "1 Secret Street" not in client.get("/api/events/hidden/").content.decode()


def test_online_link_never_appears(client, group):
    EventFactory(slug="online", is_online=True, online_url="https://meet.example.org/secret")
    for url in ("/api/events/", "/api/events/online/"):
        body = client.get(url).content.decode()
        assert "meet.example.org" not in body
        assert '"is_online":true' in body.replace(" ", "")


def test_attendee_names_and_rsvp_answers_never_appear(client, group, member):
    from events.services import rsvp_set

    member.display_name = "Ada Attendee"
    member.save()
    event = EventFactory(slug="going", rsvp_question="What brings you?")
    rsvp_set(event=event, member=member, going=True, answer="my secret answer")
    for url in ("/api/events/", "/api/events/going/", "/api/speakers/"):
        body = client.get(url).content.decode()
        assert "Ada Attendee" not in body
        assert "my secret answer" not in body
        assert "What brings you?" not in body


def test_breakout_notes_only_once_published(client, group):
    event = EventFactory(slug="evening")
    BreakoutFactory(event=event, topic="Open", notes="Kept", notes_published=True, order=0)
    closed = BreakoutFactory(event=event, topic="Closed", notes="Secret", order=1)
    assert closed.notes_html == "<p>Secret</p>"  # stored, not shown
    detail = _get(client, "/api/events/evening/")
    assert [(b["topic"], b["notes_html"]) for b in detail["breakouts"]] == [
        ("Open", "<p>Kept</p>"),
        ("Closed", ""),
    ]


def test_event_detail_by_slug_any_case_or_id_with_program_and_speakers(client, group):
    event = EventFactory(slug="full", title="Full evening")
    guest = SpeakerFactory(slug="ada", name="Ada")
    host = SpeakerFactory(slug="bea", name="Bea")
    EventSpeaker.objects.create(event=event, speaker=guest, role=SpeakerRole.GUEST, order=0)
    EventSpeaker.objects.create(event=event, speaker=host, role=SpeakerRole.MODERATOR, order=1)
    from events.models import AgendaItem

    AgendaItem.objects.create(event=event, title="Doors", kind="break", order=0)
    by_slug = _get(client, "/api/events/FULL/")
    assert by_slug == _get(client, f"/api/events/{event.pk}/")
    assert by_slug["title"] == "Full evening"
    assert [(s["slug"], s["role"]) for s in by_slug["speakers"]] == [
        ("ada", "guest"),
        ("bea", "moderator"),
    ]
    assert [a["title"] for a in by_slug["agenda"]] == ["Doors"]
    assert by_slug["url"] == "http://127.0.0.1:8000/events/full/"
    assert by_slug["time_zone"] == "America/New_York"


def test_events_filter_by_series_and_dates(client, group):
    now = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0)
    monthly = SeriesFactory(slug="monthly")
    EventFactory(slug="a", series=monthly, starts_at=now + timedelta(days=3))
    EventFactory(slug="b", starts_at=now + timedelta(days=4))
    EventFactory(slug="c", series=monthly, starts_at=now + timedelta(days=10))
    assert _slugs(_get(client, "/api/events/?series=Monthly")) == ["a", "c"]
    day = (now + timedelta(days=4)).astimezone(group.zone).date().isoformat()
    assert _slugs(_get(client, f"/api/events/?from={day}")) == ["b", "c"]
    assert _slugs(_get(client, f"/api/events/?to={day}")) == ["a", "b"]
    assert _slugs(_get(client, f"/api/events/?from={day}&to={day}")) == ["b"]
    assert client.get("/api/events/?from=yesterday").status_code == 422


def test_events_filter_by_language_and_texts_in_it(client, group):
    EventFactory(slug="both", title_en="Cooperatives", title_es="Cooperativas")
    EventFactory(slug="english", title_en="Only English")
    assert _slugs(_get(client, "/api/events/?language=es")) == ["both"]
    spanish = _get(client, "/api/events/?lang=es")
    assert [row["title"] for row in spanish["results"]] == ["Cooperativas", "Only English"]
    # Accept-Language is not read: the site's language unless the address names another.
    english = _get(client, "/api/events/", **{"Accept-Language": "es"})
    assert [row["title"] for row in english["results"]] == ["Cooperatives", "Only English"]
    assert client.get("/api/events/?language=fr").status_code == 400


def test_events_pages_are_stable_and_linked(client, group):
    now = timezone.now()
    same_time = now + timedelta(days=5)
    made = [EventFactory(slug=f"e{i}", starts_at=same_time) for i in range(5)]
    first = _get(client, "/api/events/?page_size=2")
    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"] == "http://127.0.0.1:8000/api/events/?page=2&page_size=2"
    second = _get(client, "/api/events/?page=2&page_size=2")
    third = _get(client, "/api/events/?page=3&page_size=2")
    assert third["next"] is None
    assert _slugs(first) + _slugs(second) + _slugs(third) == [e.slug for e in made]
    assert client.get("/api/events/?page_size=101").status_code == 400
    assert client.get("/api/events/?page=0").status_code == 400


def test_series_and_speakers_lists(client, group):
    SeriesFactory(slug="b-series", name="B series")
    SeriesFactory(slug="a-series", name="A series")
    speaker = SpeakerFactory(slug="ada", name="Ada")
    SpeakerLink.objects.create(speaker=speaker, label="Site", url="https://ada.example.org/")
    member_speaker = SpeakerFactory(slug="bea", name="Bea", member=UserFactory(email="bea@x.org"))
    assert _slugs(_get(client, "/api/series/")) == ["a-series", "b-series"]
    speakers = _get(client, "/api/speakers/")
    assert _slugs(speakers) == ["ada", member_speaker.slug]
    assert speakers["results"][0]["links"] == [{"label": "Site", "url": "https://ada.example.org/"}]
    assert "bea@x.org" not in json.dumps(speakers)


def test_api_only_reads(client, group):
    response = client.post("/api/events/", data={})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
