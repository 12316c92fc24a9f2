"""The organizer's event admin: list order and counts, the Duplicate button, the group preset
and the fields that wait for the event to end."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Breakout, Event, EventStatus
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/events/event/"


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


def test_event_list_shows_upcoming_soonest_first_then_past(client, organizer):
    now = timezone.now()
    later = EventFactory(starts_at=now + timedelta(days=20))
    soon = EventFactory(starts_at=now + timedelta(days=2))
    under_way = EventFactory(starts_at=now - timedelta(hours=1))
    old = EventFactory(starts_at=now - timedelta(days=60))
    recent = EventFactory(starts_at=now - timedelta(days=5))
    client.force_login(organizer)
    shown = list(client.get(CHANGELIST).context["cl"].result_list)
    assert shown == [under_way, soon, later, recent, old]


def test_event_list_counts_rsvps_in_constant_queries(client, organizer, group):
    event = EventFactory(starts_at=timezone.now() + timedelta(days=3), capacity=2)
    services.rsvp_set(event=event, member=organizer, going=True)
    services.rsvp_set(event=event, member=UserFactory(), going=True)
    services.rsvp_set(event=event, member=UserFactory(), going=True)  # waitlisted
    client.force_login(organizer)
    row = client.get(CHANGELIST).context["cl"].result_list[0]
    assert (row.going_count, row.waitlisted_count, row.checked_in_count) == (2, 1, 0)
    EventFactory.create_batch(4)
    five = _changelist_queries(client)
    EventFactory.create_batch(45)
    assert _changelist_queries(client) == five


def test_duplicate_button_posts_and_opens_the_draft(client, organizer):
    event = EventFactory()
    client.force_login(organizer)
    change = reverse("admin:events_event_change", args=[event.pk])
    url = reverse("admin:events_event_duplicate", args=[event.pk])
    assert url in client.get(change).content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url)
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == reverse("admin:events_event_change", args=[copy.pk])
    assert (copy.status, copy.starts_at) == (EventStatus.DRAFT, event.starts_at + timedelta(7))


def test_duplicate_needs_csrf_and_add_permission(client, organizer):
    event = EventFactory()
    url = reverse("admin:events_event_duplicate", args=[event.pk])
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(*organizer.groups.get().permissions.filter(codename="view_event"))
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    client.logout()
    client.handler.enforce_csrf_checks = True
    client.force_login(organizer)
    assert client.post(url).status_code == 403
    assert Event.objects.count() == 1


def test_group_is_preset_and_hidden_with_one_group(client, organizer, group):
    client.force_login(organizer)
    for url in (
        "/admin/events/event/add/",
        "/admin/events/series/add/",
        "/admin/photos/album/add/",
        "/admin/groups/membership/add/",
    ):
        html = client.get(url).content.decode()
        assert f'<input type="hidden" name="group" value="{group.pk}"' in html, url


def test_breakout_notes_wait_for_the_event_to_end(client, organizer):
    upcoming = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    past = EventFactory(starts_at=timezone.now() - timedelta(days=3))
    for event in (upcoming, past):
        Breakout.objects.create(event=event, topic="Capital")
    client.force_login(organizer)
    shown = {}
    for event in (upcoming, past):
        html = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
        collapsed = re.search(r"<details><summary>\s*<h2[^>]*>After the event<", html)
        shown[event] = ('name="breakouts-0-notes"' in html, collapsed is not None)
    assert shown == {upcoming: (False, True), past: (True, False)}
