"""The albums list and an album page cost about the same with 10 photos or 10,000: the albums
list paginates before it joins and counts, photos_published_idx gives an album's published
photos in page order (and their count), photos_recent_idx the newest photos of the home page
and profiles."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import generations
from events.models import Event
from photos.models import Album, Photo, PhotoStatus
from photos.views import ALBUMS_PER_PAGE
from tests.queryplans import (
    analyze,
    index_definition,
    node_types,
    page_query,
    plan_nodes,
    require_postgres,
    scans,
)

pytestmark = pytest.mark.django_db

DEFINITIONS = {
    "postgresql": {
        "photos_published_idx": (
            "CREATE INDEX photos_published_idx ON public.photos_photo USING btree "
            "(album_id, uploaded_at, id) WHERE ((status)::text = 'published'::text)"
        ),
        "photos_recent_idx": (
            "CREATE INDEX photos_recent_idx ON public.photos_photo USING btree "
            "(uploaded_at DESC, id DESC) WHERE (((status)::text = 'published'::text) "
            "AND (NOT ((grid_jpeg)::text = ''::text)))"
        ),
    },
    "sqlite": {
        "photos_published_idx": (
            'CREATE INDEX "photos_published_idx" ON "photos_photo" '
            '("album_id", "uploaded_at", "id") WHERE "status" = \'published\''
        ),
        "photos_recent_idx": (
            'CREATE INDEX "photos_recent_idx" ON "photos_photo" ("uploaded_at" DESC, "id" DESC) '
            "WHERE (\"status\" = 'published' AND NOT (\"grid_jpeg\" = ''))"
        ),
    },
}


def _photos(album, count, **fields):
    fields = {
        "grid_jpeg": "g.jpg",
        "large_jpeg": "l.jpg",
        "grid_webp": "g.webp",
        "large_webp": "l.webp",
        "grid_height": 267,
        **fields,
    }
    return generations.bulk_create(
        Photo,
        (
            Photo(album=album, image=f"photos/{album.pk}/{i}.jpg", alt_text=f"P{i}", **fields)
            for i in range(count)
        ),
    )


def _event_albums(group, count) -> list[Album]:
    """count albums of past events, most recent event first."""
    now, start = timezone.now(), Event.objects.count()
    events = Event.objects.bulk_create(
        Event(
            group=group,
            title=f"Past {n}",
            slug=f"past-{n}",
            status="published",
            starts_at=now - timedelta(days=n + 1),
            ends_at=now - timedelta(days=n, hours=22),
        )
        for n in range(start, start + count)
    )
    return Album.objects.bulk_create(
        Album(group=group, event=event, title=event.title) for event in reversed(events)
    )[::-1]


@pytest.mark.parametrize("name", ["photos_published_idx", "photos_recent_idx"])
def test_photo_index_is_defined(name):
    assert index_definition(name) == DEFINITIONS[connection.vendor][name]


def test_albums_list_pages_in_event_order_with_published_counts(client, group):
    albums = _event_albums(group, ALBUMS_PER_PAGE + 2)
    _photos(albums[0], 3)
    _photos(albums[0], 2, status=PhotoStatus.PENDING)
    _photos(albums[-1], 1)
    first = client.get("/photos/").context["albums"]
    second = client.get("/photos/?page=2").context["albums"]
    assert [a.pk for a in first] + [a.pk for a in second] == [a.pk for a in albums]
    assert [a.photo_count for a in first][:2] == [3, 0]
    assert [a.photo_count for a in second] == [0, 1]
    assert first[0].event.title == "Past 0"


def test_albums_list_queries_do_not_grow(client, group):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/photos/").status_code == 200
        return len(captured)

    albums = _event_albums(group, 3)
    _photos(albums[0], 2)
    small = queries()
    for album in _event_albums(group, 40)[:10]:
        _photos(album, 5)
    large = queries()
    # group (with the page generation), count, the page with events, covers and counts
    assert small == large == 3


@pytest.mark.postgres
def test_album_page_reads_published_photos_in_index_order(client, group):
    require_postgres()
    album = _event_albums(group, 1)[0]
    _photos(album, 400)
    _photos(album, 100, status=PhotoStatus.PENDING)
    other = _event_albums(group, 1)[0]
    _photos(other, 400)
    analyze(Photo)
    for url in (album.get_absolute_url(), album.get_absolute_url() + "?page=3"):
        nodes = plan_nodes(page_query(client, url, 'ORDER BY "photos_photo"."uploaded_at" ASC'))
        assert {node[1] for node in scans(nodes)} >= {"photos_published_idx"}
        assert not node_types(nodes) & {"Sort", "Incremental Sort"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # VACUUM, which index-only scans need, is no-transaction
def test_albums_list_counts_each_albums_photos_from_the_index_alone(client, group):
    require_postgres()
    for album in _event_albums(group, 30):
        _photos(album, 20)
        _photos(album, 3, status=PhotoStatus.HIDDEN)
    analyze(Photo, Album, vacuum=True)
    nodes = plan_nodes(page_query(client, "/photos/", "photo_count"))
    assert ("Index Only Scan", "photos_published_idx") in scans(nodes)
