"""Feed bodies are built once per change in every coding; a conditional request reads none.

See events/calendar_cache.py: the ETag comes from the change generation (one query), one weak
ETag covers identity, gzip and br, and the "bodies" cache keeps a small entry (the codings and
their lengths) apart from the bodies.
"""

import gzip
from datetime import timedelta
from email.utils import parsedate_to_datetime

import brotli
import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone
from icalendar import Calendar

from events.calendar_cache import WINDOW
from events.ical import event_uid
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

FEED = "/calendar.ics"
BR = {"accept-encoding": "gzip, deflate, br"}  # what browsers and most calendar apps send
GZIP = {"accept-encoding": "gzip"}
DECODE = {None: bytes, "gzip": gzip.decompress, "br": brotli.decompress}


@pytest.fixture
def event(group):
    return EventFactory(starts_at=timezone.now() + timedelta(days=5), title="Coop night")


@pytest.fixture
def cache_log(monkeypatch):
    """What the feeds read from and store in the "bodies" cache, by the last part of the key
    ("identity", "gzip", "br" or "meta"): a thin wrapper around the real cache's methods."""
    bodies = caches["bodies"]
    log = {"read": [], "stored": []}

    def reading(method):
        def read(key, *args, **kwargs):
            log["read"].append(key.rsplit(":", 1)[-1])
            return method(key, *args, **kwargs)

        return read

    def store_many(data, *args, **kwargs):
        log["stored"].append(sorted(key.rsplit(":", 1)[-1] for key in data))
        return set_many(data, *args, **kwargs)

    set_many = bodies.set_many
    # The local-memory cache's get_many() reads through get().
    monkeypatch.setattr(bodies, "get", reading(bodies.get))
    monkeypatch.setattr(bodies, "has_key", reading(bodies.has_key))
    monkeypatch.setattr(bodies, "set_many", store_many)
    return log


def _uids(body: bytes) -> set[str]:
    return {str(v["uid"]) for v in Calendar.from_ical(body).walk("VEVENT")}


def test_a_matching_conditional_request_reads_no_body(
    client, event, cache_log, django_assert_num_queries
):
    first = client.get(FEED, headers=BR)
    assert (first.status_code, first["Content-Encoding"]) == (200, "br")
    # Built once, stored in every coding with the small entry beside them.
    assert cache_log == {"read": ["br"], "stored": [["br", "gzip", "identity", "meta"]]}
    etag = first["ETag"]

    cache_log["stored"].clear()
    cache_log["read"].clear()
    # The group and the generation; nothing from the cache.
    with django_assert_num_queries(2):
        assert client.get(FEED, headers={**BR, "if-none-match": etag}).status_code == 304
    assert cache_log == {"read": [], "stored": []}

    assert client.get(FEED, headers=BR).content == first.content
    assert cache_log == {"read": ["br"], "stored": []}

    # Another server, a restart, an eviction: the 304 still needs no body and no build.
    caches["bodies"].clear()
    cache_log["read"].clear()
    with django_assert_num_queries(2):
        assert client.get(FEED, headers={**BR, "if-none-match": etag}).status_code == 304
    assert cache_log == {"read": [], "stored": []}


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        (None, None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
    ],
)
def test_every_coding_decodes_to_the_identical_body(client, event, accept_encoding, coding):
    plain = client.get(FEED)
    headers = {"accept-encoding": accept_encoding} if accept_encoding else {}
    response = client.get(FEED, headers=headers)
    assert response.get("Content-Encoding") == coding
    assert "Accept-Encoding" in response["Vary"]
    assert response["ETag"] == plain["ETag"]
    assert response["Content-Length"] == str(len(response.content))
    assert DECODE[coding](response.content) == plain.content
    assert _uids(plain.content) == {event_uid(event)}


def test_the_etag_of_a_br_response_gives_304_to_a_gzip_request(client, event):
    """One weak ETag for every coding of the same body, compared weakly (RFC 9110 13.1.2)."""
    etag = client.get(FEED, headers=BR)["ETag"]
    assert etag.startswith('W/"')
    not_modified = client.get(FEED, headers={**GZIP, "if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    assert "Accept-Encoding" in not_modified["Vary"]
    # Without an Accept-Encoding, as the tag without W/, or in a list: still the same body.
    for if_none_match in (etag, etag.removeprefix("W/"), f'"elsewhere", {etag}'):
        assert client.get(FEED, headers={"if-none-match": if_none_match}).status_code == 304
    assert client.get(FEED, headers={**GZIP, "if-none-match": '"elsewhere"'}).status_code == 200


@pytest.mark.parametrize("headers", [{}, GZIP, BR])
def test_head_reads_only_the_small_entry(client, event, cache_log, headers):
    cold = client.head(FEED, headers=headers)  # builds like a GET, sends no body
    get = client.get(FEED, headers=headers)
    cache_log["read"].clear()
    head = client.head(FEED, headers=headers)
    assert cache_log["read"] == ["meta"]
    for response in (cold, head):
        assert (response.status_code, response.content) == (200, b"")
        assert response["Content-Length"] == str(len(get.content))
        assert response.get("Content-Encoding") == get.get("Content-Encoding")
        assert response["ETag"] == get["ETag"]
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert cache_log["stored"] == [["br", "gzip", "identity", "meta"]]
    conditional = client.head(FEED, headers={**headers, "if-none-match": get["ETag"]})
    assert conditional.status_code == 304


def test_the_window_moves_the_etag_only_when_an_event_leaves_it(client, group):
    now = timezone.now()
    leaving = EventFactory(starts_at=now - WINDOW + timedelta(hours=12))
    staying = EventFactory(starts_at=now + timedelta(days=3))
    first = client.get(FEED)
    assert _uids(first.content) == {event_uid(leaving), event_uid(staying)}
    etag, modified = first["ETag"], first["Last-Modified"]

    with time_machine.travel(now + timedelta(hours=6)):
        assert client.get(FEED, headers={"if-none-match": etag}).status_code == 304
        assert client.get(FEED, headers={"if-modified-since": modified}).status_code == 304

    with time_machine.travel(now + timedelta(hours=13)):
        changed = client.get(FEED, headers={"if-none-match": etag})
        assert changed.status_code == 200
        assert changed["ETag"] != etag
        assert _uids(changed.content) == {event_uid(staying)}
        # Last-Modified is when the window let the event go.
        left_at = (leaving.starts_at + WINDOW).replace(microsecond=0)
        assert parsedate_to_datetime(changed["Last-Modified"]) == left_at
        assert client.get(FEED, headers={"if-modified-since": modified}).status_code == 200
        # The full history keeps it.
        assert _uids(client.get("/calendar/all.ics").content) == {
            event_uid(leaving),
            event_uid(staying),
        }
