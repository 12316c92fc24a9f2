"""Publishing and cancelling from the event's change page: the confirmation says how many
will be told (the announcement's own recipients), asks once, and lands on the event."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Email
from events import services
from events.emails import EventEmail
from events.models import Event, EventStatus, RSVPStatus
from groups.models import MembershipStatus
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def audience(group):
    """Two members who hear of new events, one who turned them off, one still waiting."""
    return [
        MembershipFactory(group=group).user,
        MembershipFactory(group=group).user,
        MembershipFactory(group=group, user=UserFactory(notify_new_events=False)).user,
        MembershipFactory(group=group, status=MembershipStatus.PENDING).user,
    ]


def _draft(group):
    return EventFactory(
        group=group, status=EventStatus.DRAFT, starts_at=timezone.now() + timedelta(days=7)
    )


def test_publish_page_counts_the_announcements_recipients(client, group, organizer, audience):
    draft = _draft(group)
    client.force_login(organizer)
    page = client.get(reverse("admin:events_event_publish", args=[draft.pk]))
    assert page.status_code == 200
    assert page.context["told"] == "2 members will be emailed about it."
    assert services.event_publish_audience(event=draft, by=organizer) == 2
    assert Event.objects.get(pk=draft.pk).status == EventStatus.DRAFT  # asking changes nothing


def test_publishing_announces_to_the_counted_members_and_lands_on_the_event(
    client, group, organizer, audience, commit
):
    draft = _draft(group)
    client.force_login(organizer)
    with commit():
        response = client.post(reverse("admin:events_event_publish", args=[draft.pk]), follow=True)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"“{draft.title}” is published. The group is being told."
    ]
    announced = Email.objects.filter(kind=EventEmail.ANNOUNCEMENT)
    assert sorted(announced.values_list("recipient", flat=True)) == sorted(
        u.pk for u in audience[:2]
    )
    assert Event.objects.get(pk=draft.pk).status == EventStatus.PUBLISHED


def test_cancel_page_counts_the_people_going_then_tells_them(
    client, group, organizer, audience, commit
):
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=7))
    services.rsvp_set(event=event, member=audience[0], going=True)
    services.rsvp_set(event=event, member=audience[2], going=True)
    client.force_login(organizer)
    url = reverse("admin:events_event_cancel", args=[event.pk])
    assert client.get(url).context["told"] == ("2 people going or on the waitlist will be told.")
    with commit():
        response = client.post(url)
    assert response.url == event.get_absolute_url()
    told = Email.objects.filter(kind=EventEmail.CANCELLED)
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [audience[0].pk, audience[2].pk]
    )
    assert Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED
    assert set(event.rsvps.values_list("status", flat=True)) == {RSVPStatus.GOING}


def test_change_page_offers_preview_and_publish_for_a_draft_and_cancel_when_published(
    client, group, organizer
):
    draft = _draft(group)
    client.force_login(organizer)
    html = client.get(reverse("admin:events_event_change", args=[draft.pk])).content.decode()
    assert reverse("admin:events_event_publish", args=[draft.pk]) in html
    assert f'href="{draft.get_absolute_url()}"' in html  # "Preview"
    assert 'name="status"' not in html  # read only, changed by the buttons
    services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    html = client.get(reverse("admin:events_event_change", args=[draft.pk])).content.decode()
    assert reverse("admin:events_event_cancel", args=[draft.pk]) in html
    assert reverse("admin:events_event_publish", args=[draft.pk]) not in html


@pytest.mark.parametrize("members", [1, 12])
def test_publish_page_queries_do_not_grow_with_the_group(
    client, group, organizer, members, django_assert_num_queries
):
    MembershipFactory.create_batch(members, group=group)
    draft = _draft(group)
    url = reverse("admin:events_event_publish", args=[draft.pk])
    client.force_login(organizer)
    client.get(url)  # the admin's first request loads what it caches
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
