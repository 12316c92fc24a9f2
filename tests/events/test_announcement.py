"""A new event is announced to the group once, whichever way it became published."""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import Email
from events import services
from events.emails import EventEmail
from events.importer import events_import_ics
from events.models import Event, EventStatus
from tests.factories import EventFactory, MembershipFactory, VenueFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def members(group):
    return sorted(MembershipFactory(group=group).user.email for _ in range(2))


def _announced() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox if m.subject.startswith("New event:"))


def _form(group, **changes):
    starts_at = (timezone.now() + timedelta(days=9)).astimezone(NY)
    data = {
        "group": group.pk,
        "title_en": "Platform co-ops",
        "slug": "platform-co-ops",
        "summary_en": "",
        "description_en": "",
        "status": EventStatus.DRAFT,
        "starts_at": starts_at.strftime("%Y-%m-%dT18:30"),
        "ends_at": starts_at.strftime("%Y-%m-%dT20:30"),
        "venue": VenueFactory().pk,
        "online_url": "",
        "capacity": "",
        "max_guests": 0,
        "series": "",
    }
    for prefix in ("event_speakers", "agenda_items", "breakouts"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def test_event_created_published_by_the_service_is_announced(group, organizer, members, commit):
    event = EventFactory.build(group=group, status=EventStatus.PUBLISHED, venue=VenueFactory())
    with commit():
        services.event_save(event=event, by=organizer)
    assert _announced() == [(email, f"New event: {event.title}") for email in members]
    event.refresh_from_db()
    assert event.announced_at is not None


def test_event_created_as_draft_is_not_announced(group, organizer, members, commit):
    event = EventFactory.build(group=group, status=EventStatus.DRAFT, venue=VenueFactory())
    with commit():
        services.event_save(event=event, by=organizer)
    assert (_announced(), Event.objects.get().announced_at) == ([], None)


def test_admin_add_form_makes_a_draft_whatever_status_is_posted(
    client, group, organizer, members, commit
):
    """The status is not a field of the form: "Publish…" publishes (below)."""
    client.force_login(organizer)
    with commit():
        response = client.post(
            reverse("admin:events_event_add"), _form(group, status=EventStatus.PUBLISHED)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Event.objects.get().status == EventStatus.DRAFT
    assert _announced() == []


def test_admin_publish_page_announces_a_draft(client, group, organizer, members, commit):
    client.force_login(organizer)
    client.post(reverse("admin:events_event_add"), _form(group))
    event = Event.objects.get()
    assert _announced() == []
    with commit():
        response = client.post(reverse("admin:events_event_publish", args=[event.pk]))
    assert response.status_code == 302
    assert _announced() == [(email, "New event: Platform co-ops") for email in members]


def test_admin_publish_action_announces(client, group, organizer, members, commit):
    draft = EventFactory(status=EventStatus.DRAFT, title="Data co-ops")
    client.force_login(organizer)
    with commit():
        client.post(
            reverse("admin:events_event_changelist"),
            {"action": "publish", "_selected_action": [draft.pk], "post": "yes"},
        )
    assert _announced() == [(email, "New event: Data co-ops") for email in members]


def test_published_again_is_not_announced_again(group, organizer, members, commit):
    draft = EventFactory(status=EventStatus.DRAFT)
    with commit():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
        services.event_set_status(event=draft, status=EventStatus.DRAFT, by=organizer)
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
        draft.refresh_from_db()
        draft.status = EventStatus.DRAFT
        services.event_save(event=draft, by=organizer, changed_fields=["status"])
        draft.status = EventStatus.PUBLISHED
        services.event_save(event=draft, by=organizer, changed_fields=["status"])
    assert _announced() == [(email, f"New event: {draft.title}") for email in members]
    assert Email.objects.filter(kind=EventEmail.ANNOUNCEMENT, state="sent").count() == len(members)


def test_a_stale_copy_saved_later_does_not_announce_twice(group, organizer, members, commit):
    draft = EventFactory(status=EventStatus.DRAFT)
    stale = Event.objects.get(pk=draft.pk)  # an admin form opened before the publish
    with commit():
        services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
        stale.status = EventStatus.PUBLISHED
        stale.summary = "Edited in another tab"
        services.event_save(event=stale, by=organizer, changed_fields=["summary"])
    assert len(_announced()) == len(members)


def test_imported_events_are_not_announced(group, members, commit):
    """Imported events were announced where they came from; members hear nothing now."""
    with commit():
        events_import_ics(data=(FIXTURES / "meetup_export.ics").read_bytes(), group=group)
    assert _announced() == []
    published = Event.objects.filter(status=EventStatus.PUBLISHED)
    assert published.count() > 0
    assert published.filter(announced_at__isnull=True).count() == 0
