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
    assert reverse("admin:events_event_preview", args=[draft.pk]) in html  # "Preview"
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


# The list's "Publish the selected events…" and "Cancel the selected events…": a page that
# names each event with who will be told, then "post" acts (Django's delete_selected idiom).


def _act(client, action, events, **extra):
    return client.post(
        reverse("admin:events_event_changelist"),
        {"action": action, "_selected_action": [event.pk for event in events], **extra},
        follow="post" in extra,
    )


def test_publish_action_asks_first_naming_each_event_and_the_ones_skipped(
    client, group, organizer, audience
):
    drafts = [_draft(group), _draft(group)]
    published = EventFactory(group=group, title="Already out")
    client.force_login(organizer)
    page = _act(client, "publish", [*drafts, published])
    assert page.status_code == 200
    assert [(row["event"], row["told"]) for row in page.context["rows"]] == [
        (drafts[0], "2 members will be emailed about it."),
        (drafts[1], "2 members will be emailed about it."),
    ]
    assert page.context["skipped"] == "Not drafts, left as they are: “Already out”."
    html = page.content.decode()
    assert '<input type="hidden" name="post" value="yes">' in html
    assert f'name="_selected_action" value="{published.pk}"' not in html
    assert set(Event.objects.values_list("status", flat=True)) == {
        EventStatus.DRAFT,
        EventStatus.PUBLISHED,
    }
    assert Event.objects.filter(status=EventStatus.DRAFT).count() == 2  # asking changed nothing
    assert Email.objects.count() == 0


def test_publish_action_confirmed_publishes_and_announces(
    client, group, organizer, audience, commit
):
    drafts = [_draft(group), _draft(group)]
    client.force_login(organizer)
    with commit():
        response = _act(client, "publish", drafts, post="yes")
    titles = f"“{drafts[0].title}”, “{drafts[1].title}”"
    assert [str(m) for m in response.context["messages"]] == [
        f"Published 2 events: {titles}. The group is being told."
    ]
    assert set(Event.objects.values_list("status", flat=True)) == {EventStatus.PUBLISHED}
    announced = Email.objects.filter(kind=EventEmail.ANNOUNCEMENT)
    assert announced.count() == 4  # two members, two events


def test_cancel_action_counts_the_people_going_then_tells_them(
    client, group, organizer, audience, commit
):
    event = EventFactory(group=group, title="Picnic", starts_at=timezone.now() + timedelta(days=3))
    services.rsvp_set(event=event, member=audience[0], going=True)
    draft = _draft(group)
    client.force_login(organizer)
    page = _act(client, "cancel", [event, draft])
    assert [(row["event"], row["told"]) for row in page.context["rows"]] == [
        (event, "1 person going or on the waitlist will be told.")
    ]
    assert page.context["skipped"] == f"Not published, left as they are: “{draft.title}”."
    with commit():
        response = _act(client, "cancel", [event], post="yes")
    assert [str(m) for m in response.context["messages"]] == [
        "Cancelled 1 event: “Picnic”. The people going are being told."
    ]
    assert Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED
    assert Event.objects.get(pk=draft.pk).status == EventStatus.DRAFT
    told = Email.objects.filter(kind=EventEmail.CANCELLED)
    assert list(told.values_list("recipient", flat=True)) == [audience[0].pk]


def test_publish_action_with_nothing_to_publish_says_so_without_a_page(client, group, organizer):
    published = EventFactory(group=group, title="Already out")
    client.force_login(organizer)
    response = _act(client, "publish", [published])
    assert response.status_code == 302
    follow = client.get(response.url)
    assert [str(m) for m in follow.context["messages"]] == [
        "Not drafts, left as they are: “Already out”."
    ]


@pytest.mark.parametrize("members", [1, 12])
def test_publish_action_page_queries_do_not_grow_with_the_group(
    client, group, organizer, members, django_assert_num_queries
):
    MembershipFactory.create_batch(members, group=group)
    drafts = [_draft(group), _draft(group)]
    client.force_login(organizer)
    _act(client, "publish", drafts)  # the admin's first request loads what it caches
    with django_assert_num_queries(15):
        assert _act(client, "publish", drafts).status_code == 200
