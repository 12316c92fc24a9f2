"""The read-only API (django-ninja): /api/, events, one event, series, speakers.

Anonymous by construction: api.middleware.ApiMiddleware drops the request's cookies before
the session is read, so a signed-in browser gets what a visitor gets. The same middleware
answers conditional requests (ETag, 304), adds CORS for GET and HEAD, and rate-limits.
"""

from datetime import date
from typing import Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError

from core.languages import languages

from . import queries, schemas, shapes

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# The schema is for developers and stays in English; /api/docs/ says it in both languages.
DESCRIPTION = (
    "Read-only, public data: what the site shows a visitor. Times are in UTC "
    "(ISO 8601); `time_zone` names the group's zone. Add `lang=es` for Spanish texts."
)

api = NinjaAPI(
    title="Potluck API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # our own page (api/docs.py): the bundled one loads scripts inline
    openapi_url="/openapi.json",
)


class Paging(Schema):
    page: int = 1
    page_size: int = PAGE_SIZE


class EventFilters(Paging):
    when: Literal["upcoming", "past"] = "upcoming"
    series: str = ""
    # The first and the last day (in the group's zone) an event may start on.
    starts_from: date | None = Field(None, alias="from")
    starts_to: date | None = Field(None, alias="to")
    language: str = ""


def _zone_name(request: HttpRequest) -> str:
    group = getattr(request, "group", None)
    return group.time_zone if group is not None else "UTC"


def _bounds(request: HttpRequest, paging: Paging) -> tuple[int, int]:
    if paging.page < 1:
        raise HttpError(400, "page starts at 1")
    if not 1 <= paging.page_size <= MAX_PAGE_SIZE:
        raise HttpError(400, f"page_size is between 1 and {MAX_PAGE_SIZE}")
    return (paging.page - 1) * paging.page_size, paging.page_size


def _page_links(request: HttpRequest, paging: Paging, count: int) -> dict:
    """The absolute addresses of the previous and next pages (the query kept as asked)."""
    base = shapes.absolute(request.path)

    def at(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return base + "?" + urlencode(sorted(query.items()))

    last = max((count + paging.page_size - 1) // paging.page_size, 1)
    return {
        "count": count,
        "next": at(paging.page + 1) if paging.page < last else None,
        "previous": at(paging.page - 1) if paging.page > 1 else None,
    }


@api.get("/", response=schemas.Root, url_name="root", summary="Where everything is")
def root(request):
    return {
        "events": shapes.absolute(reverse("api:events")),
        "past_events": shapes.absolute(reverse("api:events") + "?when=past"),
        "series": shapes.absolute(reverse("api:series")),
        "speakers": shapes.absolute(reverse("api:speakers")),
        "openapi": shapes.absolute(reverse("api:openapi-json")),
        "docs": shapes.absolute(reverse("api:docs")),
    }


@api.get(
    "/events/",
    response={200: schemas.EventPage, 400: schemas.Problem},
    url_name="events",
    summary="Events, upcoming (soonest first) or past (most recent first)",
)
def events(request, filters: Query[EventFilters]):
    if filters.language and filters.language not in languages():
        raise HttpError(400, f"language is one of {', '.join(languages())}")
    group = getattr(request, "group", None)
    rows = queries.event_list(
        when=filters.when,
        series=filters.series,
        starts_from=filters.starts_from,
        starts_to=filters.starts_to,
        language=filters.language,
        zone=group.zone if group is not None else None,
    )
    offset, limit = _bounds(request, filters)
    count = rows.count()
    zone = _zone_name(request)
    return {
        **_page_links(request, filters, count),
        "results": [
            shapes.event_item(event, time_zone=zone)
            for event in queries.event_page(rows, offset=offset, limit=limit)
        ],
    }


@api.get(
    "/events/{ref}/",
    response={200: schemas.EventDetail, 404: schemas.Problem},
    url_name="event",
    summary="One event by slug or id, with its program, breakouts and speakers",
)
def event(request, ref: str):
    found = queries.event_detail(ref)
    if found is None:
        raise HttpError(404, "No such event.")
    return shapes.event_detail(found, time_zone=_zone_name(request))


@api.get(
    "/series/",
    response={200: schemas.SeriesPage, 400: schemas.Problem},
    url_name="series",
    summary="The group's series, by name",
)
def series(request, paging: Query[Paging]):
    rows = queries.series_list()
    offset, limit = _bounds(request, paging)
    return {
        **_page_links(request, paging, rows.count()),
        "results": [shapes.series_item(row) for row in rows[offset : offset + limit]],
    }


@api.get(
    "/speakers/",
    response={200: schemas.SpeakerPage, 400: schemas.Problem},
    url_name="speakers",
    summary="Speakers, by name",
)
def speakers(request, paging: Query[Paging]):
    rows = queries.speaker_list()
    offset, limit = _bounds(request, paging)
    return {
        **_page_links(request, paging, rows.count()),
        "results": [shapes.speaker_item(row) for row in rows[offset : offset + limit]],
    }
