"""The privacy page says what federation sends, while it is on, and the Event document
sends nothing the note does not name."""

from federation import documents
from tests.factories import EventFactory

NOTE = "This group can be followed from the fediverse"
# What the note names, as the Event document's keys (ids, addressing and types aside).
NAMED = {
    "name", "content", "startTime", "endTime", "location", "image", "attachment",
    "url", "ical:status", "isOnline", "timezone", "published", "updated",
}  # fmt: skip
MACHINERY = {"@context", "id", "type", "mediaType", "attributedTo", "to", "cc"}


def test_privacy_page_says_what_is_sent_while_federation_is_on(client, actor):
    assert NOTE in client.get("/privacy/").content.decode()
    actor.enabled = False
    actor.save(update_fields=["enabled"])
    assert NOTE not in client.get("/privacy/").content.decode()


def test_event_document_sends_only_what_the_note_names(actor):
    event = EventFactory(group=actor.group, cover_image="events/cover.jpg")
    document = documents.event_document(event)
    assert set(document) - MACHINERY == NAMED
    assert set(document["location"]) == {"type", "name", "address"}
    event.address_for_attendees_only = True
    assert "streetAddress" not in documents.event_document(event)["location"]["address"]
