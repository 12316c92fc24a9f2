"""Deleting the group from the site (/actions/delete-group/): organizers only, through the
two-organizer confirmation (groups.confirmations), and the deletion is complete — every row
the group holds and every file of its photos — while the accounts stay, as the page says."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from conversation.models import Comment, Thread
from decisions import services as decisions
from decisions.models import BallotBox, Poll, VoterRoll
from events import services as event_services
from events.models import RSVP, Event
from groups.confirmations import action_confirm
from groups.models import Group, LogEntry, Membership, PendingAction, Role
from groups.permissions import organizers_group
from photos import services as photo_services
from photos.models import Album, Photo
from tests.factories import (
    CommentFactory,
    EventFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)
from tests.photos.conftest import Upload, image_bytes, stored_files

pytestmark = pytest.mark.django_db

URL = "/actions/delete-group/"
SAID = "Members can still sign in, download their data from /me/data/ and delete their account"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def full_group(group, organizer, member, media_root, django_capture_on_commit_callbacks):
    """A group with something of everything a member leaves in it."""
    event = EventFactory(group=group)
    event_services.rsvp_set(event=event, member=member, going=True)
    CommentFactory(event=event, author=member)
    ThreadFactory(group=group, author=member)
    album = Album.objects.create(group=group, event=event, title="Evening")
    with django_capture_on_commit_callbacks(execute=True):
        photo_services.photo_add(
            album=album, uploaded_by=organizer, file=Upload(image_bytes(), "a.jpg")
        )
    now = timezone.now()
    poll = decisions.poll_open(
        group=group,
        by=organizer,
        question="Where?",
        options=["Here", "There"],
        method="single",
        opens_at=now,
        closes_at=now + timedelta(days=3),
    )
    decisions.ballot_cast(poll=poll, member=member, choices=[poll.options.first()])
    assert stored_files(media_root)  # the photo's files
    return group


def test_a_lone_organizer_deletes_the_group_and_all_it_holds(
    client, full_group, organizer, member, media_root, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    page = client.get(URL).content.decode()
    assert "What deleting the group does" in page
    assert SAID in page
    refused = client.post(URL, {"name": "Not our name"})
    assert refused.status_code == 400
    assert "This is not the group&#x27;s name." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"name": full_group.name, "reason": "We merged."})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    left = {
        model.__name__: model.objects.count()
        for model in (
            Group,
            Membership,
            Event,
            RSVP,
            Comment,
            Thread,
            Album,
            Photo,
            Poll,
            VoterRoll,
            BallotBox,
            PendingAction,
            LogEntry,
        )
    }
    assert left == dict.fromkeys(left, 0)
    assert stored_files(media_root) == []
    # The accounts stay; the organizer is no longer staff.
    users = get_user_model().objects
    assert users.filter(pk__in=[organizer.pk, member.pk]).count() == 2
    assert users.get(pk=organizer.pk).is_staff is False


def test_with_two_organizers_the_deletion_waits_and_the_confirm_page_says_what_goes(
    client, group, organizer, member
):
    second = UserFactory(is_staff=True)
    second.groups.add(organizers_group())
    MembershipFactory(group=group, user=second, role=Role.CO_ORGANIZER)
    client.force_login(organizer)
    response = client.post(URL, {"name": group.name, "reason": "We merged."})
    action = PendingAction.objects.get()
    assert response["Location"] == reverse("action_confirm", args=[action.pk])
    assert (action.kind, action.target, action.reason) == ("group_delete", group.pk, "We merged.")
    assert Group.objects.filter(pk=group.pk).exists()
    client.force_login(second)
    page = client.get(response["Location"]).content.decode()
    assert SAID in page
    assert "Confirm: Delete the group" in page
    action_confirm(action=action, by=second)
    assert not Group.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [
        ("anonymous", 302, 302),
        ("outsider", 404, 404),
        ("member", 404, 404),
        ("organizer", 200, 400),  # the empty form is refused
    ],
)
def test_who_may_open_the_delete_page(client, group, organizer, member, role, get, post):
    people = {"anonymous": None, "outsider": UserFactory(), "member": member}
    people["organizer"] = organizer
    if people[role] is not None:
        client.force_login(people[role])
    assert (client.get(URL).status_code, client.post(URL).status_code) == (get, post)
    assert Group.objects.filter(pk=group.pk).exists()


def test_the_pending_page_and_the_admin_group_page_link_to_the_delete_page(
    client, group, organizer
):
    client.force_login(organizer)
    assert f'<a href="{URL}">Delete the group…</a>' in client.get("/actions/").content.decode()
    admin_page = client.get(reverse("admin:groups_group_change", args=[group.pk]))
    assert f'<li><a href="{URL}" title=' in admin_page.content.decode()


def test_the_delete_page_queries_do_not_grow(
    client, group, organizer, django_assert_max_num_queries
):
    for _ in range(30):
        MembershipFactory(group=group, role=Role.MEMBER)
    client.force_login(organizer)
    client.get(URL)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
