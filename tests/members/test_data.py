"""Members own their data: export everything, delete without a trace, roles that hold."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from PIL import Image

from events import services as event_services
from events.models import RSVP, Breakout, RSVPStatus
from groups import services as group_services
from groups.models import Membership, Role
from members import services
from members.data import DATA
from photos import services as photo_services
from photos.models import Album, Photo
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.twofactor import give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


class Upload(io.BytesIO):
    def __init__(self, name):
        out = io.BytesIO()
        Image.new("RGB", (640, 480), (90, 140, 200)).save(out, "JPEG")
        super().__init__(out.getvalue())
        self.name, self.size = name, len(out.getvalue())


@pytest.fixture
def rich_member(group, organizer, django_capture_on_commit_callbacks):
    """A member with every kind of data Potluck keeps."""
    user = UserFactory(
        email="zelda.quartz@example.org",
        display_name="Zelda Quartzfeld",
        pronouns="she/her",
        bio="Runs a bike-courier cooperative.",
        city="Brooklyn",
        links="https://zelda.example.org",
    )
    MembershipFactory(group=group, user=user, role=Role.CO_ORGANIZER)
    give_totp(user)  # two-factor sign-in: an authenticator app and its recovery codes
    past = EventFactory(starts_at=timezone.now() + timedelta(days=1), capacity=10)
    breakout = Breakout.objects.create(event=past, topic="Courier coops")
    past.rsvp_question = "What brings you?"
    past.save()
    event_services.rsvp_set(event=past, member=user, going=True, answer="Zelda wants coops")
    event_services.rsvp_choose_breakout(event=past, member=user, breakout=breakout)
    RSVP.objects.filter(member=user).update(checked_in_at=timezone.now())
    past.starts_at = timezone.now() - timedelta(days=3)
    past.ends_at = past.starts_at + timedelta(hours=2)
    past.save()
    album = Album.objects.create(group=group, event=past, title="Night")
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_services.photo_add(
            album=album,
            uploaded_by=user,
            file=Upload("z.jpg"),
            caption="Our table",
            alt_text="People at a table",
        )
        services.member_set_avatar(member=user, upload=Upload("me.jpg"))
    user.refresh_from_db()  # the worker (here: at the commit) set the avatar
    return {"user": user, "past": past, "photo": photo, "album": album}


def _archive(user):
    return zipfile.ZipFile(io.BytesIO(services.member_export(member=user)))


def test_export_has_every_item_and_nothing_of_others(rich_member, group):
    other = UserFactory(email="other.person@example.org", display_name="Other Person")
    MembershipFactory(group=group, user=other)
    event_services.rsvp_set(
        event=EventFactory(), member=other, going=True, answer="Not Zelda's answer"
    )
    user = rich_member["user"]
    archive = _archive(user)
    assert sorted(archive.namelist()) == sorted(
        ["data.json", "README.txt", "avatar.jpg", f"photos/{rich_member['photo'].pk}.jpg"]
    )
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == "zelda.quartz@example.org"
    assert data["profile"]["links"] == [
        {"label": "zelda.example.org", "url": "https://zelda.example.org"}
    ]
    assert data["memberships"][0]["role"] == "co_organizer"
    [rsvp] = data["rsvps"]
    assert (rsvp["status"], rsvp["answer"], rsvp["breakout"]) == (
        "going",
        "Zelda wants coops",
        "Courier coops",
    )
    assert rsvp["checked_in_at"] is not None
    [photo] = data["photos"]
    assert (photo["caption"], photo["alt_text"]) == ("Our table", "People at a table")
    # Every section and field of the data map is in the export, and nothing else.
    for section in DATA:
        entries = data[section.key]
        rows = entries if isinstance(entries, list) else [entries]
        for row in rows:
            assert sorted(row) == sorted(item.key for item in section.items), section.key
    raw = archive.read("data.json").decode()
    assert "other.person@example.org" not in raw and "Not Zelda's answer" not in raw
    readme = archive.read("README.txt").decode()
    assert all(f"  {item.key}: " in readme for section in DATA for item in section.items)
    with Image.open(io.BytesIO(archive.read(f"photos/{rich_member['photo'].pk}.jpg"))) as image:
        assert image.format == "JPEG"


def _text_columns():
    for model in apps.get_models():
        fields = [
            f.column
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if fields:
            yield model._meta.db_table, fields


def _find_everywhere(*needles) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, columns in _text_columns():
            for column in columns:
                cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608 - our own names
                for (value,) in cursor.fetchall():
                    text = str(value or "").lower()
                    found += [f"{table}.{column}" for n in needles if n.lower() in text]
    return found


def test_delete_leaves_no_trace_and_keeps_history(
    rich_member, group, media_root, django_capture_on_commit_callbacks
):
    user = rich_member["user"]
    past = rich_member["past"]
    upcoming = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=4))
    event_services.rsvp_set(event=upcoming, member=user, going=True)
    waiting = UserFactory()
    event_services.rsvp_set(event=upcoming, member=waiting, going=True)
    assert RSVP.objects.get(member=waiting).status == RSVPStatus.WAITLISTED
    before = (
        RSVP.objects.filter(event=past).going().count(),
        past.rsvps.filter(checked_in_at__isnull=False).count(),
    )
    assert _find_everywhere("zelda.quartz@example.org", "Quartzfeld") != []

    with django_capture_on_commit_callbacks(execute=True):
        services.member_delete(member=user)

    assert not get_user_model().objects.filter(pk=user.pk).exists()
    after = (
        RSVP.objects.filter(event=past).going().count(),
        past.rsvps.filter(checked_in_at__isnull=False).count(),
    )
    assert after == before == (1, 1)
    former = RSVP.objects.get(event=past)
    assert (former.member, former.answer, former.breakout) == (None, "", None)
    assert RSVP.objects.get(member=waiting).status == RSVPStatus.GOING  # seat freed, promoted
    assert not RSVP.objects.filter(event=upcoming, member__isnull=True).exists()
    assert Photo.objects.count() == 0
    assert _find_everywhere("zelda.quartz@example.org", "Quartzfeld", "Zelda wants") == []
    files = [p for p in media_root.rglob("*") if p.is_file()]
    assert files == []


def test_delete_can_leave_photos_to_the_group(rich_member, media_root):
    services.member_delete(member=rich_member["user"], leave_photos=True)
    photo = Photo.objects.get()
    assert photo.uploaded_by is None
    assert photo.caption == "Our table"


def test_last_organizer_cannot_leave_be_demoted_or_delete(group, organizer):
    membership = Membership.objects.get(user=organizer)
    message = (
        "You are the group's last organizer. Make another member an organizer first, so the "
        "group is never left without one."
    )
    with pytest.raises(ValidationError) as left:
        group_services.membership_leave(group=group, user=organizer)
    with pytest.raises(ValidationError) as demoted:
        group_services.membership_set_role(membership=membership, role=Role.MEMBER)
    with pytest.raises(ValidationError) as deleted:
        services.member_delete(member=organizer)
    assert left.value.messages == demoted.value.messages == deleted.value.messages == [message]
    assert Membership.objects.get(user=organizer).role == Role.ORGANIZER
    # With a second organizer, the first may step down.
    other = MembershipFactory(group=group).user
    group_services.membership_set_role(
        membership=Membership.objects.get(user=other), role=Role.CO_ORGANIZER
    )
    group_services.membership_set_role(membership=membership, role=Role.MEMBER)
    organizer.refresh_from_db()
    other.refresh_from_db()
    assert (organizer.is_staff, organizer.groups.filter(name="Organizers").exists()) == (
        False,
        False,
    )
    assert (other.is_staff, other.groups.filter(name="Organizers").exists()) == (True, True)


def test_join_and_leave(client, group, organizer):
    user = UserFactory()
    client.force_login(user)
    assert client.post("/join/").status_code == 302
    assert Membership.objects.filter(user=user).exists()
    assert client.get("/leave/").status_code == 200
    assert client.post("/leave/").status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    client.force_login(organizer)
    response = client.post("/leave/")
    assert response.status_code == 409
    assert "last organizer" in response.content.decode()


def test_privacy_page_lists_every_item_of_the_export(client, group):
    html = client.get("/privacy/").content.decode()
    for section in DATA:
        assert str(section.title) in html
        for item in section.items:
            assert str(item.label) in html
