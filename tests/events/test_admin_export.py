"""The attendee list organizers download from the RSVP admin."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import RSVP, Event
from members import services as member_services
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_attendee_csv_lists_a_deleted_account_as_a_former_member(client, organizer, group):
    event = EventFactory(title="Workers' Rights", max_guests=1)
    stays = UserFactory(display_name="Rosa", email="rosa@example.org")
    leaves = UserFactory(display_name="Ana", email="ana@example.org")
    services.rsvp_set(event=event, member=stays, going=True, guests=1, answer="Tea")
    services.rsvp_set(event=event, member=leaves, going=True, answer="Coffee")
    # The event is over; the member who leaves now stays in its attendance, anonymously.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    member_services.member_delete(member=leaves)
    assert RSVP.objects.filter(event=event, member__isnull=True).count() == 1
    client.force_login(organizer)
    response = client.post(
        reverse("admin:events_rsvp_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(RSVP.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[:7] for row in rows] == [
        ["Name", "Email", "Event", "Status", "Guests", "Answer", "Breakout"],
        ["Rosa", "rosa@example.org", "Workers' Rights", "Going", "1", "Tea", ""],
        ["a former member", "", "Workers' Rights", "Going", "0", "", ""],
    ]
