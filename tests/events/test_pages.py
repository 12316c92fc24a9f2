import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import EventSpeaker, SpeakerRole
from tests.factories import EventFactory, SeriesFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def _days(n):
    return timezone.now() + timedelta(days=n)


def test_upcoming_page_lists_upcoming_in_order(client, group):
    later = EventFactory(starts_at=_days(20), title="Later")
    soon = EventFactory(starts_at=_days(2), title="Soon")
    EventFactory(starts_at=_days(-5), title="Past")
    EventFactory(starts_at=_days(3), title="Draft", status="draft")
    response = client.get("/events/")
    assert response.status_code == 200
    assert list(response.context["events"]) == [soon, later]


def test_upcoming_page_marks_happening_now(client, group):
    EventFactory(starts_at=_days(0) - timedelta(minutes=30), title="Under way")
    response = client.get("/events/")
    assert b"Happening now" in response.content


def test_upcoming_page_paginates(client, group):
    events = [EventFactory(starts_at=_days(i + 1)) for i in range(25)]
    first = client.get("/events/")
    second = client.get("/events/?page=2")
    assert list(first.context["events"]) == events[:20]
    assert list(second.context["events"]) == events[20:]
    assert client.get("/events/?page=9").status_code == 404


def test_past_page_groups_by_year_in_group_zone(client, group):
    new = EventFactory(starts_at=_days(-30))
    old = EventFactory(starts_at=new.starts_at - timedelta(days=400))
    response = client.get("/events/past/")
    zone = group.zone
    assert response.context["years"] == [
        (new.starts_at.astimezone(zone).year, [new]),
        (old.starts_at.astimezone(zone).year, [old]),
    ]
    html = response.content.decode()
    assert f'<h2 id="year-{old.starts_at.astimezone(zone).year}">' in html


def test_detail_shows_the_whole_evening(client, full_event):
    response = client.get(full_event.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for es in full_event.event_speakers.all():
        assert es.speaker.name in html and es.speaker.affiliation in html
    assert [f"Item {i}" in html for i in range(6)] == [True] * 6
    assert [f"Topic {i}" in html for i in range(4)] == [True] * 4
    # Notes appear only where organizers published them.
    assert html.count("Notes from the discussion") == 2
    assert full_event.venue.address in html
    assert "https://www.openstreetmap.org/search?query=" in html
    assert "<time datetime=" in html


def test_detail_slug_is_case_insensitive(client, group):
    event = EventFactory(slug="coop-night")
    assert client.get("/events/Coop-Night/").context["event"] == event


def test_cancelled_event_stays_visible_with_banner(client, group):
    event = EventFactory(status="cancelled")
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert b"This event has been cancelled." in response.content


def test_draft_is_404_for_public_and_previewed_for_organizers(client, group, member, organizer):
    draft = EventFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(organizer)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview: this event is a draft." in response.content


def test_speaker_page_lists_all_their_public_events(client, group):
    speaker = SpeakerFactory()
    first = EventFactory(starts_at=_days(-40))
    second = EventFactory(starts_at=_days(10))
    draft = EventFactory(starts_at=_days(12), status="draft")
    for event in (first, second, draft):
        EventSpeaker.objects.create(event=event, speaker=speaker, role=SpeakerRole.GUEST)
    response = client.get(speaker.get_absolute_url())
    assert [es.event for es in response.context["appearances"]] == [second, first]


def test_series_page_lists_its_events(client, group):
    series = SeriesFactory(group=group)
    past = EventFactory(series=series, starts_at=_days(-20))
    upcoming = EventFactory(series=series, starts_at=_days(20))
    EventFactory(starts_at=_days(21))
    response = client.get(series.get_absolute_url())
    assert (response.context["upcoming"], response.context["past"]) == ([upcoming], [past])


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_detail_has_schema_org_event(client, full_event):
    full_event.is_online = True
    full_event.online_url = "https://meet.example/secret-room"
    full_event.save()
    html = client.get(full_event.get_absolute_url()).content.decode()
    data = _json_ld(html)
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [loc["@type"] for loc in data["location"]] == ["Place", "VirtualLocation"]
    assert [p["name"] for p in data["performer"]] == [
        es.speaker.name for es in full_event.event_speakers.all()
    ]
    assert data["organizer"]["name"] == full_event.group.name
    assert data["startDate"] == full_event.starts_at.astimezone(full_event.group.zone).isoformat()
    # The join link is not published to the world.
    assert "secret-room" not in html
    assert f'<meta property="og:title" content="{full_event.title}">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_cancelled_event_json_ld(client, group):
    event = EventFactory(
        status="cancelled", venue=None, is_online=True, online_url="https://x.example"
    )
    data = _json_ld(client.get(event.get_absolute_url()).content.decode())
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"


def test_sitemap_lists_public_pages_only(client, group):
    public = EventFactory()
    draft = EventFactory(status="draft")
    speaker = SpeakerFactory()
    EventSpeaker.objects.create(event=public, speaker=speaker)
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    # Each page once per language (tests/events/test_bilingual_content.py has the rest).
    locs = {loc.text.split("?lang=")[0] for loc in root.findall("s:url/s:loc", ns)}
    assert f"http://testserver{public.get_absolute_url()}" in locs
    assert f"http://testserver{draft.get_absolute_url()}" not in locs
    assert f"http://testserver{speaker.get_absolute_url()}" in locs
    assert "http://testserver/events/" in locs


def test_robots_txt_points_at_sitemap(client, group):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /me/",
        "Sitemap: http://testserver/sitemap.xml",
    ]


def test_atom_feed_lists_upcoming_public_events(client, group):
    soon = EventFactory(starts_at=_days(2), title="Soon")
    EventFactory(starts_at=_days(-2), title="Gone")
    EventFactory(starts_at=_days(3), title="Hidden", status="draft")
    response = client.get("/events/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.find("a:title", ns).text for e in root.findall("a:entry", ns)] == [soon.title]
