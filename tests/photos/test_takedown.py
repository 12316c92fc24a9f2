"""Who hides a photo with "This is me, please remove", who only asks the organizers, and who
cannot ask at all (photos.services.photo_request_takedown; the queue in the admin)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from groups.models import Role
from groups.services import membership_ban
from photos import services
from photos.models import Photo, TakedownRequest
from tests.factories import MembershipFactory, UserFactory

from .conftest import Upload, image_bytes

pytestmark = pytest.mark.django_db

QUEUED = (
    "Thank you. The organizers will review your request and take the photo down if it should "
    "not be shown; until then it stays up."
)
HIDDEN = "The photo is hidden now. An organizer will look at your request and remove it for good."
BANNED = (
    "This account is banned from the group, so it cannot ask for photos to be taken down. "
    "If a photo shows you, write to the organizers with the contact form on the home page."
)


@pytest.fixture
def photo(album, organizer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        added = services.photo_add(
            album=album, uploaded_by=organizer, file=Upload(image_bytes(), "a.jpg")
        )
    return Photo.objects.get(pk=added.pk)


def _take_down(client, user, photo):
    client.force_login(user)
    response = client.post(f"/photos/{photo.pk}/takedown/")
    messages = [str(m) for m in client.get(photo.get_absolute_url()).context["messages"]]
    return response, messages


def _status(photo) -> str:
    return Photo.objects.get(pk=photo.pk).status


def test_an_account_outside_the_group_only_asks_the_organizers(client, photo):
    outsider = UserFactory()
    response, messages = _take_down(client, outsider, photo)
    assert (response.status_code, response["Location"]) == (302, photo.get_absolute_url())
    assert messages == [QUEUED]
    assert _status(photo) == "published"
    assert list(TakedownRequest.objects.values_list("photo", "requested_by", "status")) == [
        (photo.pk, outsider.pk, "open")
    ]


def test_throwaway_accounts_cannot_hide_a_photo(client, photo, settings):
    settings.POTLUCK_TAKEDOWN_RATE = "5/h"
    for _ in range(6):
        _take_down(client, UserFactory(), photo)
    assert _status(photo) == "published"
    assert TakedownRequest.objects.filter(photo=photo, status="open").count() == 6


def test_asking_twice_makes_one_request(client, photo):
    outsider = UserFactory()
    _take_down(client, outsider, photo)
    _take_down(client, outsider, photo)
    assert TakedownRequest.objects.count() == 1


def test_a_member_with_a_verified_address_hides_it_at_once(client, group, photo):
    member = MembershipFactory(group=group).user
    assert EmailAddress.objects.get(user=member).verified
    response, messages = _take_down(client, member, photo)
    assert (response.status_code, messages) == (302, [HIDDEN])
    assert _status(photo) == "hidden"
    assert TakedownRequest.objects.count() == 0


def test_a_member_whose_address_is_not_verified_only_asks(client, group, photo):
    member = MembershipFactory(group=group).user
    EmailAddress.objects.filter(user=member).update(verified=False)
    _response, messages = _take_down(client, member, photo)
    assert messages == [QUEUED]
    assert _status(photo) == "published"


def test_a_banned_account_cannot_ask_at_all(client, group, organizer, photo):
    banned = MembershipFactory(group=group).user
    membership_ban(group=group, user=banned, by=organizer)
    client.force_login(banned)
    response = client.post(f"/photos/{photo.pk}/takedown/")
    assert response.status_code == 403
    assert BANNED in response.content.decode()
    assert _status(photo) == "published"
    assert TakedownRequest.objects.count() == 0


def test_organizers_hide_a_queued_photo_in_the_admin(client, photo, organizer):
    outsiders = [UserFactory(), UserFactory()]
    for outsider in outsiders:
        _take_down(client, outsider, photo)
    client.force_login(organizer)
    url = reverse("admin:photos_takedownrequest_changelist")
    listing = client.get(url)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2
    first = TakedownRequest.objects.filter(requested_by=outsiders[0]).get()
    response = client.post(url, {"action": "hide_photos", "_selected_action": [first.pk]})
    assert response.status_code == 302
    assert _status(photo) == "hidden"
    # Hiding the photo decides every request on it.
    assert sorted(TakedownRequest.objects.values_list("status", "decided_by")) == [
        ("hidden", organizer.pk),
        ("hidden", organizer.pk),
    ]


def test_organizers_dismiss_a_request_and_the_photo_stays(client, photo, organizer):
    _take_down(client, UserFactory(), photo)
    takedown = TakedownRequest.objects.get()
    client.force_login(organizer)
    url = reverse("admin:photos_takedownrequest_changelist")
    client.post(url, {"action": "dismiss", "_selected_action": [takedown.pk]})
    takedown.refresh_from_db()
    assert (takedown.status, takedown.decided_by, _status(photo)) == (
        "dismissed",
        organizer,
        "published",
    )
    assert client.get(f"{url}?status__exact=open").context["cl"].result_count == 0


def test_members_cannot_decide_takedown_requests(client, group, photo):
    _take_down(client, UserFactory(), photo)
    member = MembershipFactory(group=group).user
    with pytest.raises(PermissionDenied):
        services.takedown_request_decide(
            takedown=TakedownRequest.objects.get(), hide=True, by=member
        )
    assert _status(photo) == "published"


def test_a_permission_without_the_organizer_role_decides_nothing(client, group, photo):
    """Organizer means the membership role (groups.access.Viewer); the Django permissions of
    the admin are derived from it, and alone they give no say over photos."""
    _take_down(client, UserFactory(), photo)
    by_hand = MembershipFactory(group=group).user
    by_hand.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_photo", "change_takedownrequest"])
    )
    with pytest.raises(PermissionDenied):
        services.takedown_request_decide(
            takedown=TakedownRequest.objects.get(), hide=True, by=by_hand
        )
    with pytest.raises(PermissionDenied):
        services.photo_set_status(photo=photo, status="hidden", by=by_hand)
    assert _status(photo) == "published"
    co_organizer = MembershipFactory(group=group, role=Role.CO_ORGANIZER).user
    services.photo_set_status(photo=photo, status="hidden", by=co_organizer)
    assert _status(photo) == "hidden"
