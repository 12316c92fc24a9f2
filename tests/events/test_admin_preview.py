"""The admin's "Preview" of an event: its page as an ordinary signed-in member with no RSVP sees
it once published, under one banner, with forms that send nothing, never cached."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import EventStatus
from groups.models import Role
from home.pagecache import NEVER_CACHED
from tests.factories import EventFactory, MembershipFactory, VenueFactory

pytestmark = pytest.mark.django_db

BANNER = "Preview: this is how members will see the page once it is published."


@pytest.fixture
def draft(group, organizer):
    """A draft at an address kept for the people going, hosted by the organizer."""
    event = EventFactory(
        group=group,
        status=EventStatus.DRAFT,
        title="Housing co-ops",
        starts_at=timezone.now() + timedelta(days=7),
        venue=VenueFactory(name="The Commons", address="12 Secret Lane", city="Brooklyn"),
        address_for_attendees_only=True,
    )
    event.hosts.add(organizer)
    return event


def _preview(client, event):
    return client.get(reverse("admin:events_event_preview", args=[event.pk]))


def test_preview_shows_the_draft_as_a_member_without_the_attendees_address(
    client, organizer, draft
):
    client.force_login(organizer)
    response = _preview(client, draft)
    assert response.status_code == 200
    html = response.content.decode()
    assert "12 Secret Lane" not in html
    assert "The exact address is shown to members who are going." in html
    assert html.count(BANNER) == 1
    assert "Only organizers can see it." not in html  # the draft banner is not shown too
    assert "Door check-in" not in html  # no host or organizer tools
    looking = response.context["request"].viewer
    assert (looking.role, looking.is_organizer, looking.user.pk) == (Role.MEMBER, False, 0)
    assert response.context["user"] == looking.user  # the header is a member's too
    assert (
        response.context["is_organizer"],
        response.context["can_see_private"],
        response.context["can_run_door"],
        response.context["my_rsvp"],
    ) == (False, False, False, None)
    # The banner leads back to the form and to "Publish…".
    assert f'href="{reverse("admin:events_event_change", args=[draft.pk])}"' in html
    assert f'href="{reverse("admin:events_event_publish", args=[draft.pk])}"' in html
    assert reverse("admin:events_event_preview", args=[draft.pk]) in client.get(
        reverse("admin:events_event_change", args=[draft.pk])
    ).content.decode("utf-8")
    assert type(draft).objects.get(pk=draft.pk).status == EventStatus.DRAFT  # nothing saved


def test_preview_forms_are_shown_but_send_nothing(client, organizer, draft):
    client.force_login(organizer)
    response = _preview(client, draft)
    html = response.content.decode()
    # The RSVP buttons a member would see once it is published, disabled.
    assert '<button type="submit" name="going" value="yes" disabled>I\'m going</button>' in html
    assert 'value="no" class="secondary" disabled>Can\'t make it</button>' in html
    assert '<button type="submit" disabled>Post my question</button>' in html
    assert all(f.disabled for f in response.context["comment_form"].fields.values())
    assert all(f.disabled for f in response.context["rsvp_form"].fields.values())
    assert client.post(reverse("admin:events_event_preview", args=[draft.pk])).status_code == 405


def test_preview_ignores_the_organizers_own_rsvp(client, organizer, draft):
    services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    services.rsvp_set(event=draft, member=organizer, going=True)
    client.force_login(organizer)
    response = _preview(client, draft)
    html = response.content.decode()
    assert "You're going." not in html
    assert "12 Secret Lane" not in html
    assert "Preview: this is how members see the page." in html
    assert reverse("admin:events_event_publish", args=[draft.pk]) not in html  # published


def test_preview_leaves_the_organizers_messages_for_their_next_admin_page(client, organizer, draft):
    client.force_login(organizer)
    change = reverse("admin:events_event_change", args=[draft.pk])
    client.post(reverse("admin:events_event_cancel", args=[draft.pk]))  # a draft: a warning
    assert (
        "Only a published event can be cancelled." not in _preview(client, draft).content.decode()
    )
    assert [str(m) for m in client.get(change).context["messages"]] == [
        "Only a published event can be cancelled."
    ]


def test_preview_is_never_cached(client, organizer, draft):
    client.force_login(organizer)
    response = _preview(client, draft)
    decision = response.wsgi_request.page_cache
    assert (decision.key, decision.reason) == (
        None,
        NEVER_CACHED["admin:events_event_preview"],
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("going", [1, 8])
def test_preview_queries_do_not_grow_with_the_people_going(
    client, group, organizer, draft, going, django_assert_num_queries
):
    services.event_set_status(event=draft, status=EventStatus.PUBLISHED, by=organizer)
    for _ in range(going):
        services.rsvp_set(event=draft, member=MembershipFactory(group=group).user, going=True)
    client.force_login(organizer)
    url = reverse("admin:events_event_preview", args=[draft.pk])
    client.get(url)  # the admin's first request loads what it caches
    # 18: the event page's, with the approved replies from the fediverse (federation.replies).
    with django_assert_num_queries(18):
        assert client.get(url).status_code == 200
