"""The shapes the API answers with, typed for the OpenAPI schema (django-ninja, pydantic)."""

from datetime import datetime

from ninja import Schema


class Link(Schema):
    label: str
    url: str


class SeriesRef(Schema):
    slug: str
    name: str
    url: str


class Place(Schema):
    name: str
    city: str
    # Empty when the event keeps its exact address for the members going.
    address: str
    latitude: float | None
    longitude: float | None


class SpeakerRef(Schema):
    slug: str
    name: str
    role: str
    affiliation: str
    url: str


class EventItem(Schema):
    id: int
    slug: str
    url: str
    title: str
    summary: str
    status: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    is_online: bool
    venue: Place | None
    series: SeriesRef | None
    speakers: list[SpeakerRef]
    updated_at: datetime


class AgendaEntry(Schema):
    time: str | None
    title: str
    kind: str
    description: str


class BreakoutEntry(Schema):
    topic: str
    prompt: str
    facilitator: str
    # The notes' HTML once the organizers published them, else empty.
    notes_html: str


class EventDetail(EventItem):
    description_html: str
    agenda: list[AgendaEntry]
    breakouts: list[BreakoutEntry]


class EventPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[EventItem]


class SeriesItem(Schema):
    slug: str
    name: str
    cadence: str
    description_html: str
    url: str
    events_url: str


class SeriesPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[SeriesItem]


class SpeakerItem(Schema):
    slug: str
    name: str
    affiliation: str
    bio_html: str
    url: str
    links: list[Link]


class SpeakerPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[SpeakerItem]


class Root(Schema):
    events: str
    past_events: str
    series: str
    speakers: str
    openapi: str
    docs: str


class Problem(Schema):
    detail: str
