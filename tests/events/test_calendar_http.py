"""The feeds over HTTP: conditional requests, caching, tokens, and what calendars rely on."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.ical import event_uid
from events.models import RSVP, EventStatus, RSVPStatus
from members import services as member_services
from tests.factories import EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(group):
    return EventFactory(starts_at=timezone.now() + timedelta(days=5), title="Coop night")


def _vevents(response):
    return {str(v["uid"]): v for v in Calendar.from_ical(response.content).walk("VEVENT")}


@pytest.mark.parametrize("url", ["/calendar.ics", "/calendar/all.ics", "event"])
def test_feed_headers_and_conditional_requests(client, event, url):
    url = f"/events/{event.slug}/calendar.ics" if url == "event" else url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    etag, modified = response["ETag"], response["Last-Modified"]
    assert "Set-Cookie" not in response and not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    head = client.head(url)
    assert (head.status_code, head["ETag"]) == (200, etag)
    # Stable between changes, new after one.
    assert client.get(url)["ETag"] == etag
    event.summary = "Changed"
    services.event_save(event=event, by=None, changed_fields=["summary"])
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_feed_does_not_redirect_logged_out_clients_or_touch_sessions(client, event):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert "sessionid" not in client.cookies and "csrftoken" not in client.cookies


def test_reschedule_keeps_uid_and_raises_sequence(client, event, organizer):
    before = _vevents(client.get("/calendar.ics"))[event_uid(event)]
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    services.event_save(event=event, by=organizer, changed_fields=["starts_at", "ends_at"])
    after = _vevents(client.get("/calendar.ics"))[event_uid(event)]
    assert str(after["uid"]) == str(before["uid"]) == f"event-{event.pk}@127.0.0.1"
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after.decoded("dtstart") - before.decoded("dtstart") == timedelta(days=1)


def test_cancelled_event_stays_in_the_feed(client, event, organizer):
    services.event_set_status(event=event, status=EventStatus.CANCELLED, by=organizer)
    vevent = _vevents(client.get("/calendar.ics"))[event_uid(event)]
    assert str(vevent["status"]) == "CANCELLED"
    assert vevent["sequence"] == 1


def test_feed_window_upcoming_and_last_twelve_months(client, group):
    now = timezone.now()
    recent = EventFactory(starts_at=now - timedelta(days=300))
    old = EventFactory(starts_at=now - timedelta(days=400))
    upcoming = EventFactory(starts_at=now + timedelta(days=400))
    draft = EventFactory(starts_at=now + timedelta(days=3), status="draft")
    uids = set(_vevents(client.get("/calendar.ics")))
    assert uids == {event_uid(recent), event_uid(upcoming)}
    assert event_uid(old) not in uids and event_uid(draft) not in uids
    # The personal feed has the same window.
    member = UserFactory()
    for going in (recent, old):
        RSVP.objects.create(event=going, member=member, status=RSVPStatus.GOING)
    personal = set(_vevents(client.get(f"/calendar/{member.calendar_token}.ics")))
    assert personal == {event_uid(recent)}


def test_full_history_feed_has_every_published_event(client, group):
    now = timezone.now()
    decade_ago = EventFactory(starts_at=now - timedelta(days=3650))
    old = EventFactory(starts_at=now - timedelta(days=400))
    cancelled = EventFactory(starts_at=now - timedelta(days=500), status=EventStatus.CANCELLED)
    recent = EventFactory(starts_at=now - timedelta(days=300))
    upcoming = EventFactory(starts_at=now + timedelta(days=400))
    EventFactory(starts_at=now - timedelta(days=600), status="draft")
    response = client.get("/calendar/all.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="calendar-all.ics"'
    assert "public" in response["Cache-Control"]
    assert list(_vevents(response)) == [
        event_uid(e) for e in (decade_ago, cancelled, old, recent, upcoming)
    ]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == f"{group.name}: all events"
    # Its own ETag, with the same caching rules as the group's feed.
    etag = response["ETag"]
    assert etag != client.get("/calendar.ics")["ETag"]
    assert client.get("/calendar/all.ics", headers={"if-none-match": etag}).status_code == 304
    old.title = "Renamed"
    services.event_save(event=old, by=None, changed_fields=["title"])
    changed = client.get("/calendar/all.ics", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert str(_vevents(changed)[event_uid(old)]["summary"]) == "Renamed"


def test_venue_change_moves_upcoming_events(client, group):
    venue = VenueFactory()
    event = EventFactory(venue=venue, starts_at=timezone.now() + timedelta(days=3))
    venue.address = "200 New Street"
    services.venue_save(venue=venue, changed_fields=["address"])
    vevent = _vevents(client.get("/calendar.ics"))[event_uid(event)]
    assert vevent["sequence"] == 1
    assert "200 New Street" in str(vevent["location"])


def test_personal_feed_and_rotation(client, group):
    member = UserFactory()
    going = EventFactory(
        starts_at=timezone.now() + timedelta(days=3),
        is_online=True,
        online_url="https://meet.example/room",
    )
    full = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=4))
    services.rsvp_set(event=going, member=member, going=True)
    services.rsvp_set(event=full, member=UserFactory(), going=True)
    services.rsvp_set(event=full, member=member, going=True)
    EventFactory(starts_at=timezone.now() + timedelta(days=5))  # not answered: not in it
    old_url = f"/calendar/{member.calendar_token}.ics"
    response = client.get(old_url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    vevents = _vevents(response)
    assert set(vevents) == {event_uid(going), event_uid(full)}
    assert str(vevents[event_uid(going)]["status"]) == "CONFIRMED"
    assert "https://meet.example/room" in str(vevents[event_uid(going)]["description"])
    assert str(vevents[event_uid(full)]["status"]) == "TENTATIVE"
    # When the member stops going, the event leaves their feed.
    services.rsvp_cancel(event=going, member=member)
    assert set(_vevents(client.get(old_url))) == {event_uid(full)}
    member_services.member_rotate_calendar_token(member=member)
    assert client.get(old_url).status_code == 404
    assert client.get(f"/calendar/{member.calendar_token}.ics").status_code == 200


def test_public_feed_never_has_the_online_link(client, group):
    EventFactory(is_online=True, online_url="https://meet.example/secret")
    assert b"meet.example/secret" not in client.get("/calendar.ics").content


def test_rotate_from_my_page(client, group):
    member = UserFactory()
    old = member.calendar_token
    client.force_login(member)
    page = client.get("/me/calendar/").content.decode()
    assert f"/calendar/{old}.ics" in page
    rotated = client.post("/me/calendar/rotate/")
    assert (rotated.status_code, rotated["Location"]) == (302, "/me/calendar/")
    member.refresh_from_db()
    assert member.calendar_token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404


def test_subscribe_page_links(client, group):
    html = client.get("/calendar/").content.decode()
    assert 'href="webcal://127.0.0.1:8000/calendar.ics"' in html
    assert 'value="http://127.0.0.1:8000/calendar.ics"' in html
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F127.0.0.1%3A8000" in html
    assert "https://outlook.live.com/calendar/0/addfromweb?url=http" in html
    assert "every several hours" in html
    # The full history, offered beside it.
    assert 'href="webcal://127.0.0.1:8000/calendar/all.ics"' in html
    assert 'value="http://127.0.0.1:8000/calendar/all.ics"' in html
    assert "Every event, however old" in html


def test_event_page_add_to_calendar(client, event):
    html = client.get(event.get_absolute_url()).content.decode()
    assert f'href="/events/{event.slug}/calendar.ics"' in html
    assert (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Coop%20night" in html
    )


@pytest.mark.parametrize(
    ("url", "method", "expected"),
    [
        ("/calendar.ics", "post", 405),
        ("/calendar.ics", "put", 405),
        ("/calendar/all.ics", "post", 405),
        ("/calendar/not-a-token.ics", "get", 404),
        ("/events/no-such-event/calendar.ics", "get", 404),
        ("/me/calendar/rotate/", "get", 302),  # anonymous: to log in first
    ],
)
def test_calendar_access(client, event, url, method, expected):
    assert getattr(client, method)(url).status_code == expected


def test_draft_event_has_no_feed(client, group):
    draft = EventFactory(status="draft")
    assert client.get(f"/events/{draft.slug}/calendar.ics").status_code == 404


@pytest.mark.django_db(transaction=True)  # committed, as a request's RSVP is
def test_an_rsvp_keeps_the_group_feed_cached(client, event, django_assert_num_queries):
    etag = client.get("/calendar.ics")["ETag"]
    services.rsvp_set(event=event, member=UserFactory(), going=True)
    # The group and the change generation; the body comes from the cache.
    with django_assert_num_queries(2):
        assert client.get("/calendar.ics", headers={"if-none-match": etag}).status_code == 304


@pytest.mark.parametrize("url", ["/calendar.ics", "/calendar/all.ics", "event"])
def test_feeds_carry_the_main_language_whatever_the_client_asks(client, event, url):
    """One body and one ETag per feed: a Spanish calendar client gets the group's language."""
    services.event_set_status(event=event, status=EventStatus.CANCELLED, by=None)
    url = f"/events/{event.slug}/calendar.ics" if url == "event" else url
    english = client.get(url, headers={"accept-language": "en"})
    spanish = client.get(url, headers={"accept-language": "es"})
    assert (english.status_code, spanish.status_code) == (200, 200)
    assert spanish["ETag"] == english["ETag"]
    assert spanish.content == english.content
