"""Rows as the API's JSON (the shapes of api/schemas.py), shared by the endpoints and the
webhooks' payloads: a webhook's `data` is exactly what /api/events/<id>/ answers."""

from django.conf import settings
from django.urls import reverse

from events.models import Event, Series, Speaker


def absolute(path: str) -> str:
    """The site's own address (POTLUCK_SITE_URL) for a path: the same for every reader."""
    return settings.SITE_URL + path


def place(event: Event) -> dict | None:
    venue = event.venue
    if venue is None:
        return None
    hidden = event.address_for_attendees_only
    return {
        "name": venue.name,
        "city": venue.city,
        "address": "" if hidden else venue.full_address,
        "latitude": None if hidden or venue.latitude is None else float(venue.latitude),
        "longitude": None if hidden or venue.longitude is None else float(venue.longitude),
    }


def series_ref(series: Series | None) -> dict | None:
    if series is None:
        return None
    return {"slug": series.slug, "name": series.name, "url": absolute(series.get_absolute_url())}


def event_item(event: Event, *, time_zone: str) -> dict:
    """A list row (the speakers come prefetched as `api_speakers`, api/queries.py)."""
    return {
        "id": event.pk,
        "slug": event.slug,
        "url": absolute(event.get_absolute_url()),
        "title": event.title,
        "summary": event.summary,
        "status": event.status,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "time_zone": time_zone,
        "is_online": event.is_online,
        "venue": place(event),
        "series": series_ref(event.series),
        "speakers": [
            {
                "slug": row.speaker.slug,
                "name": row.speaker.name,
                "role": row.role,
                "affiliation": row.speaker.affiliation,
                "url": absolute(row.speaker.get_absolute_url()),
            }
            for row in event.api_speakers
        ],
        "updated_at": event.updated_at,
    }


def event_detail(event: Event, *, time_zone: str) -> dict:
    """The event with its program, breakouts and speakers: what its page shows a visitor."""
    return {
        **event_item(event, time_zone=time_zone),
        "description_html": event.description_html,
        "agenda": [
            {
                "time": item.time.strftime("%H:%M") if item.time else None,
                "title": item.title,
                "kind": item.kind,
                "description": item.description,
            }
            for item in event.agenda_items.all()
        ],
        "breakouts": [
            {
                "topic": breakout.topic,
                "prompt": breakout.prompt,
                "facilitator": breakout.facilitator_display,
                "notes_html": breakout.notes_html if breakout.notes_published else "",
            }
            for breakout in event.breakouts.all()
        ],
    }


def series_item(series: Series) -> dict:
    return {
        "slug": series.slug,
        "name": series.name,
        "cadence": series.cadence,
        "description_html": series.description_html,
        "url": absolute(series.get_absolute_url()),
        "events_url": absolute(reverse("api:events") + f"?series={series.slug}"),
    }


def speaker_item(speaker: Speaker) -> dict:
    return {
        "slug": speaker.slug,
        "name": speaker.name,
        "affiliation": speaker.affiliation,
        "bio_html": speaker.bio_html,
        "url": absolute(speaker.get_absolute_url()),
        "links": [{"label": link.label, "url": link.url} for link in speaker.links.all()],
    }
