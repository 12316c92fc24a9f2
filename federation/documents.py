"""The JSON documents the group publishes, shaped as Mastodon reads them and as Mobilizon
writes its own (its Event with `ical:status`, `Place` with a `PostalAddress`)."""

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from events.models import Event, EventStatus
from groups.models import Group

from .models import Actor

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "sc": "http://schema.org#",
        "ical": "http://www.w3.org/2002/12/cal/ical#",
        "mz": "https://joinmobilizon.org/ns#",
        "toot": "http://joinmastodon.org/ns#",
        "PostalAddress": "sc:PostalAddress",
        "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
        "streetAddress": "sc:streetAddress",
        "addressLocality": "sc:addressLocality",
        "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
        "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
        "discoverable": "toot:discoverable",
    },
]


def absolute(path: str) -> str:
    return settings.SITE_URL + path if path.startswith("/") else path


def host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]


def actor_id(group: Group) -> str:
    return absolute(reverse("federation:actor", kwargs={"slug": group.slug}))


def key_id(group: Group) -> str:
    return actor_id(group) + "#main-key"


def followers_id(group: Group) -> str:
    return absolute(reverse("federation:followers", kwargs={"slug": group.slug}))


def event_id(group: Group, event_pk: int) -> str:
    return absolute(reverse("federation:event", kwargs={"slug": group.slug, "pk": event_pk}))


def utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as Mastodon and Mobilizon write times."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def actor_document(group: Group, actor: Actor) -> dict:
    me = actor_id(group)
    document = {
        "@context": CONTEXT,
        "id": me,
        "type": "Group",
        "preferredUsername": group.slug,
        "name": group.name,
        "summary": group.about_html or group.tagline,
        "url": absolute(group.get_absolute_url()),
        "inbox": absolute(reverse("federation:inbox", kwargs={"slug": group.slug})),
        "outbox": absolute(reverse("federation:outbox", kwargs={"slug": group.slug})),
        "followers": followers_id(group),
        "endpoints": {"sharedInbox": absolute(reverse("federation:shared_inbox"))},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "published": utc(group.created_at),
        "publicKey": {"id": key_id(group), "owner": me, "publicKeyPem": actor.public_key_pem},
    }
    if group.cover_image:
        document["icon"] = {
            "type": "Image",
            "mediaType": "image/jpeg",
            "url": absolute(group.cover_jpeg_url),
        }
    return document


def event_document(event: Event, *, context: bool = True) -> dict:
    """An Event object as Mobilizon writes one; a cancelled event says so in ical:status."""
    group = event.group
    document = {
        "id": event_id(group, event.pk),
        "type": "Event",
        "name": event.title,
        # No "summary": Mastodon would show it as a content warning; it leads the content.
        "content": format_html("<p>{}</p>", event.summary) + event.description_html
        if event.summary
        else event.description_html,
        "mediaType": "text/html",
        "url": absolute(event.get_absolute_url()),
        "startTime": utc(event.starts_at),
        "endTime": utc(event.ends_at),
        "timezone": group.time_zone,
        "published": utc(event.created_at),
        "updated": utc(event.updated_at),
        "attributedTo": actor_id(group),
        "to": [PUBLIC],
        "cc": [followers_id(group)],
        "isOnline": event.is_online,
        "ical:status": "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED",
    }
    if context:
        document = {"@context": CONTEXT, **document}
    venue = event.venue
    if venue is not None:
        address = {"type": "PostalAddress", "addressLocality": venue.city}
        if not event.address_for_attendees_only:
            address["streetAddress"] = venue.address
        place = {"type": "Place", "name": venue.name, "address": address}
        if not event.address_for_attendees_only and venue.latitude is not None:
            place["latitude"] = float(venue.latitude)
            place["longitude"] = float(venue.longitude)
        document["location"] = place
    if event.cover_image:
        image = {"type": "Image", "mediaType": "image/jpeg", "url": absolute(event.cover_jpeg_url)}
        document["image"] = image
        document["attachment"] = [{**image, "type": "Document"}]
    return document


def activity(group: Group, kind: str, obj, *, to=None, cc=None) -> dict:
    """A new activity by the group with its own id."""
    document = {
        "@context": CONTEXT,
        "id": f"{actor_id(group)}#{kind.lower()}-{uuid.uuid4()}",
        "type": kind,
        "actor": actor_id(group),
        "object": obj,
    }
    if to is not None:
        document["to"] = to
    if cc is not None:
        document["cc"] = cc
    return document


def event_activity(event: Event, kind: str) -> dict:
    """Create or Update of the event as it is now (to the public, copied to followers)."""
    obj = event_document(event, context=False)
    result = activity(event.group, kind, obj, to=[PUBLIC], cc=[followers_id(event.group)])
    result["published"] = obj["updated"]
    return result


def event_delete(group: Group, event_pk: int) -> dict:
    """Delete of an event that is gone or back to draft: a Tombstone, as Mastodon expects."""
    tombstone = {"id": event_id(group, event_pk), "type": "Tombstone"}
    return activity(group, "Delete", tombstone, to=[PUBLIC], cc=[followers_id(group)])


def collection(collection_id: str, *, total: int, first: str | None = None) -> dict:
    document = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first:
        document["first"] = first
    return document
