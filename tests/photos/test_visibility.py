"""The photo rules of groups.visibility.RULES against real pages and files, for every role.

tests/members/test_visibility.py walks the other rules; together they cover the table.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.services import membership_leave
from groups.visibility import RULES, Audience
from photos import services
from photos.models import Album, Visibility
from tests.factories import EventFactory, MembershipFactory, UserFactory

from .conftest import Upload, image_bytes

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "former", "member", "organizer", "self"]
SEES = {
    Audience.ANYONE: set(ROLES),
    Audience.MEMBERS: {"member", "organizer", "self"},
}


@pytest.fixture
def site(group, organizer, django_capture_on_commit_callbacks):
    owner = MembershipFactory(group=group).user
    former = MembershipFactory(group=group).user
    membership_leave(group=group, user=former)
    albums = {}
    for key, visibility in (
        ("photos", Visibility.PUBLIC),
        ("members_only_photos", Visibility.MEMBERS),
    ):
        # Each album is an ended evening's: its recap shows the first photos too.
        ended = EventFactory(group=group, starts_at=timezone.now() - timedelta(days=3))
        album = Album.objects.create(group=group, event=ended, title=key, visibility=visibility)
        with django_capture_on_commit_callbacks(execute=True):
            photo = services.photo_add(
                album=album,
                uploaded_by=organizer,
                file=Upload(image_bytes(), f"{key}.jpg"),
                alt_text=f"ALT-{key}",
            )
        albums[key] = (album, photo)
    people = {  # "self": a member who uploaded nothing here (the organizer did)
        "outsider": UserFactory(),
        "former": former,
        "member": MembershipFactory(group=group).user,
        "organizer": organizer,
        "self": owner,
    }
    return {"albums": albums, "people": people}


CASES = [(key, role) for key in ("photos", "members_only_photos") for role in ROLES]


@pytest.mark.parametrize(("key", "role"), CASES)
def test_photo_rule_holds_on_pages_and_files(client, site, key, role):
    if role != "anonymous":
        client.force_login(site["people"][role])
    album, photo = site["albums"][key]
    photo.refresh_from_db()
    expected = role in SEES[RULES[key].audience]
    page = client.get(album.get_absolute_url())
    assert (f"ALT-{key}" in page.content.decode()) is expected
    recap = client.get(album.event.get_absolute_url())
    assert (f"ALT-{key}" in recap.content.decode()) is expected
    assert (client.get(photo.get_absolute_url()).status_code == 200) is expected
    assert (client.get(photo.grid_jpeg_url).status_code == 200) is expected
    if not expected:  # nor is it on the list of albums (which may show only covers)
        assert f"ALT-{key}" not in client.get("/photos/").content.decode()
