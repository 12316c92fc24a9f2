"""The API over HTTP: ETag and 304, CORS for reading, the rate limit, a valid OpenAPI
schema, and a query count that does not grow from 10 to 10,000 events."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate

from events.models import Event, EventSpeaker, SpeakerRole
from tests.factories import EventFactory, SeriesFactory, SpeakerFactory, VenueFactory, bulk_events

pytestmark = pytest.mark.django_db


def test_etag_answers_304_until_the_data_changes(client, group):
    event = EventFactory(title="Before")
    first = client.get("/api/events/")
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    again = client.get("/api/events/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    event.title = "After"
    event.save()
    changed = client.get("/api/events/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert json.loads(changed.content)["results"][0]["title"] == "After"


def test_weak_etag_of_a_compressed_answer_still_matches(client, group):
    EventFactory()
    etag = client.get("/api/events/")["ETag"]
    assert client.get("/api/events/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304


def test_cors_for_reading_only(client, group):
    response = client.get("/api/events/", headers={"Origin": "https://ally.example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/api/events/",
        headers={"Origin": "https://ally.example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD"
    head = client.head("/api/events/")
    assert (head.status_code, head.content) == (200, b"")
    assert head["Access-Control-Allow-Origin"] == "*"
    assert head["ETag"] == response["ETag"]
    refused = client.post("/api/events/")
    assert refused.status_code == 405
    assert "Access-Control-Allow-Origin" not in refused


def test_other_pages_get_no_cors(client, group):
    assert "Access-Control-Allow-Origin" not in client.get("/events/")
    assert "Access-Control-Allow-Origin" not in client.get("/api/docs/")


def test_rate_limit_answers_429_with_retry_after(client, group, settings):
    settings.POTLUCK_API_RATE = "3/m"
    assert [client.get("/api/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/events/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert json.loads(refused.content) == {"detail": "Too many requests: slow down."}
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Another address has its own budget.
    assert client.get("/api/", REMOTE_ADDR="192.0.2.9").status_code == 200


def test_openapi_schema_is_valid_openapi_3(client, group):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)  # raises on any error
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/",
        "/api/events/",
        "/api/events/{ref}/",
        "/api/series/",
        "/api/speakers/",
    ]
    parameters = {p["name"] for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert parameters == {"page", "page_size", "when", "series", "from", "to", "language"}


def _add_events(group, count):
    """Half past, half upcoming, on a few venues (tests/factories.py), some drafts, some in a
    series with a speaker."""
    venues = [VenueFactory() for _ in range(3)]
    series = SeriesFactory()

    def vary(event, i):
        event.status = "published" if i % 7 else "draft"
        event.series = series if i % 2 else None

    made = Event.objects.bulk_create(bulk_events(group, count, venues, vary=vary))
    speaker = SpeakerFactory()
    EventSpeaker.objects.bulk_create(
        EventSpeaker(event=event, speaker=speaker, role=SpeakerRole.GUEST) for event in made[::3]
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The group (middleware), the count, the page's keys, its rows with venue and series, their
# speakers; one event: the group, the event, its speakers, agenda and breakouts; a list of
# series or speakers: the group, the count, the page (and the speakers' links).
PINNED = {
    "/api/events/": 5,
    "/api/events/?when=past&page=2&page_size=2": 5,
    "/api/events/?series=SERIES&from=2020-01-01": 5,
    "detail": 5,
    "/api/series/": 3,
    "/api/speakers/": 4,
}


def test_query_counts_pinned_from_10_to_10000_events(client, group):
    _add_events(group, 10)
    series = SeriesFactory(slug="series-pinned")
    detail = EventFactory(slug="the-one", series=series)
    urls = {
        page: f"/api/events/{detail.slug}/"
        if page == "detail"
        else page.replace("SERIES", series.slug)
        for page in PINNED
    }
    small = {page: _queries(client, url) for page, url in urls.items()}
    _add_events(group, 9_990)
    assert Event.objects.count() == 10_001
    large = {page: _queries(client, url) for page, url in urls.items()}
    assert small == large == PINNED
