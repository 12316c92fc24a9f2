"""What search engines and link previews read: schema.org JSON-LD."""

from django.conf import settings

from .models import Event, EventStatus, SpeakerRole


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def event_json_ld(event: Event, request) -> dict:
    zone = event.group.zone
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary or event.plain_description[:300],
        "startDate": event.starts_at.astimezone(zone).isoformat(),
        "endDate": event.ends_at.astimezone(zone).isoformat(),
        "url": absolute(event.get_absolute_url()),
        "eventStatus": (
            "https://schema.org/EventCancelled"
            if event.status == EventStatus.CANCELLED
            else "https://schema.org/EventScheduled"
        ),
        "organizer": {
            "@type": "Organization",
            "name": event.group.name,
            "url": absolute("/"),
        },
    }
    locations = []
    if event.venue_id:
        venue = event.venue
        address = {"@type": "PostalAddress", "addressLocality": venue.city}
        place = {"@type": "Place", "name": venue.name, "address": address}
        # Where organizers keep the exact address for attendees, the world sees the city only.
        if not event.address_for_attendees_only:
            address["streetAddress"] = venue.address
            if venue.latitude is not None and venue.longitude is not None:
                place["geo"] = {
                    "@type": "GeoCoordinates",
                    "latitude": float(venue.latitude),
                    "longitude": float(venue.longitude),
                }
        locations.append(place)
    if event.is_online:
        # The join link itself is for attendees; the public page is the virtual location.
        locations.append({"@type": "VirtualLocation", "url": absolute(event.get_absolute_url())})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    data["eventAttendanceMode"] = (
        "https://schema.org/MixedEventAttendanceMode"
        if event.is_online and event.venue_id
        else "https://schema.org/OnlineEventAttendanceMode"
        if event.is_online
        else "https://schema.org/OfflineEventAttendanceMode"
    )
    performers = [
        {"@type": "Person", "name": es.speaker.name, "url": absolute(es.speaker.get_absolute_url())}
        for es in event.event_speakers.all()
        if es.role == SpeakerRole.GUEST
    ]
    if performers:
        data["performer"] = performers
    if event.cover_image:
        data["image"] = absolute(event.cover_jpeg_url)
    return data
