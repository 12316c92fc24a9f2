"""Avatars go the album photos' way (issue 24): the web request reads only the header and
quarantines the bytes, the task worker decodes them in a decode slot; a decompression bomb is
refused without a pixel decoded; the stored name is random, with nothing of its owner in it
(avatars stored before were named after the secret calendar token: a migration renames them);
a full disk is 507 and leaves nothing."""

import gc
import importlib
import io
import re
import time

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from PIL import Image, ImageFile

from members import services
from members.models import User
from tests.photos.conftest import Upload, image_bytes
from tests.photos.samples import noise, png_bomb

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"avatars/[0-9a-f]{32}\.jpg")
FULL = (
    "The site has no room left to store files just now, so this upload was not saved and "
    "nothing of it was kept. Please try again later, and tell the organizers if it keeps "
    "happening."
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _named(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _profile(member, upload, **fields) -> dict:
    return {
        "form": "profile",
        "display_name": fields.get("display_name", member.display_name),
        "pronouns": "",
        "bio": "",
        "city": "",
        "links": "",
        "profile_visibility": "members",
        "show_in_attendee_lists": "on",
        "avatar_upload": upload,
    }


@pytest.fixture
def decodes(monkeypatch):
    """Counts the times Pillow decodes pixels (ImageFile.load), calling through to Pillow."""
    calls = []
    load = ImageFile.ImageFile.load

    def counting_load(self):
        calls.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return calls


def test_avatar_is_stored_by_the_worker_under_a_random_name(
    client, member, media_root, django_capture_on_commit_callbacks
):
    token = member.calendar_token
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs at the commit
        response = client.post(
            reverse("members:me"),
            _profile(member, _named(image_bytes(size=(1200, 800)), "me.jpg"), display_name="Zed"),
        )
    assert response.status_code == 302
    member.refresh_from_db()
    name = member.avatar.name
    # A fresh uuid4 and nothing else: no calendar token, pk, email or name fits in it.
    assert RANDOM_NAME.fullmatch(name), name
    assert token[:8] not in name and member.email not in name and "Zed" not in name
    assert member.display_name == "Zed"
    assert _files(media_root) == [name]  # the quarantined bytes went
    with member.avatar.open("rb") as stored, Image.open(stored) as picture:
        assert (picture.format, picture.size) == ("JPEG", (512, 341))
    served = client.get(reverse("members:avatar", args=[member.pk]))
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
    # A second avatar replaces the first, whose file goes.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:me"), _profile(member, _named(image_bytes(), "b.png")))
    member.refresh_from_db()
    assert RANDOM_NAME.fullmatch(member.avatar.name) and member.avatar.name != name
    assert _files(media_root) == [member.avatar.name]


def test_decompression_bomb_avatar_is_refused_without_decoding_a_pixel(
    client, member, media_root, decodes
):
    bomb = png_bomb(8000, 8000)  # 64 megapixels of zeros: 192 MB once decoded
    assert len(bomb) < 250 * 1024
    client.force_login(member)
    client.get(reverse("members:me"))  # the first request loads the middleware
    gc.collect()  # not the garbage of earlier tests
    started = time.process_time()
    response = client.post(reverse("members:me"), _profile(member, _named(bomb, "bomb.png")))
    spent = time.process_time() - started
    assert response.status_code == 400
    assert response.context["profile_form"].errors["avatar_upload"] == [
        "bomb.png was not added: it has 64 megapixels; the limit is 50."
    ]
    assert "bomb.png was not added: it has 64 megapixels; the limit is 50." in (
        response.content.decode()
    )
    assert decodes == []
    # Measured: about 0.02 s (the test client's encoding included), 0.65 s once on a loaded
    # machine; decoding it would cost seconds. `decodes == []` above is the exact check.
    assert spent < 1.5
    assert _files(media_root) == []
    member.refresh_from_db()
    assert not member.avatar


def test_bomb_under_the_limits_is_decoded_by_the_worker_not_the_request(
    client, member, media_root, decodes, django_capture_on_commit_callbacks
):
    """The audit's avatar: a small PNG whose header claims 16 megapixels (the most PNG may
    have). Nine of them at once made 355 MB per web worker; now the request reads its header
    and stores its bytes, and the worker decodes it, one decode slot at a time."""
    bomb = png_bomb(4000, 4000)
    assert len(bomb) < 64 * 1024
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("members:me"), _profile(member, _named(bomb, "b.png")))
    assert response.status_code == 302
    assert decodes == []  # no pixel decoded in the web request
    [waiting] = _files(media_root)
    assert re.fullmatch(r"avatars/incoming/[0-9a-f]{32}", waiting)
    messages = [m.message for m in response.wsgi_request._messages]
    assert messages == ["Your profile is saved. Your new avatar will show once it is processed."]
    for callback in callbacks:  # the worker
        callback()
    assert set(decodes) == {(4000, 4000)}  # decoded there (load() is called more than once)
    member.refresh_from_db()
    assert RANDOM_NAME.fullmatch(member.avatar.name)
    assert _files(media_root) == [member.avatar.name]


def test_damaged_avatar_is_dropped_by_the_worker_and_the_old_one_kept(
    member, media_root, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_set_avatar(member=member, upload=Upload(image_bytes(), "a.jpg"))
    member.refresh_from_db()
    kept = member.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        services.member_set_avatar(member=member, upload=Upload(image_bytes()[:2000], "b.jpg"))
    member.refresh_from_db()
    assert member.avatar.name == kept
    assert _files(media_root) == [kept]
    assert [r.getMessage() for r in caplog.records if r.name == "members.tasks"] == [
        f"Avatar of member {member.pk} not stored: ['b.jpg was not added: the image is damaged "
        "or incomplete (image file is truncated (1 bytes not processed)).']"
    ]


def test_avatar_on_a_full_disk_is_507_next_to_the_field_and_leaves_nothing(
    client, member, full_disk, django_capture_on_commit_callbacks
):
    client.force_login(member)
    full_disk.fill(room=64 * 1024)
    photo = noise("JPEG", (700, 500), quality=95)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:me"), _profile(member, _named(photo, "me.jpg"), display_name="New")
        )
    assert response.status_code == 507
    assert response.context["profile_form"].errors["avatar_upload"] == [FULL]
    assert FULL in response.content.decode()
    assert full_disk.files() == []
    member.refresh_from_db()
    assert (bool(member.avatar), member.display_name == "New") == (False, False)
    # With room again the same avatar is stored.
    full_disk.free()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:me"), _profile(member, _named(photo, "me.jpg")))
    assert response.status_code == 302
    member.refresh_from_db()
    assert full_disk.files() == [member.avatar.name]


def test_the_avatar_sweep_runs_with_the_periodic_jobs(media_root):
    import os

    from core.hooks import periodic

    assert services.avatar_incoming_sweep in list(periodic)
    incoming = media_root / "avatars" / "incoming"
    incoming.mkdir(parents=True)
    for name, hours in (("abandoned", 30), ("fresh", 1)):
        (incoming / name).write_bytes(b"x")
        then = time.time() - hours * 3600
        os.utime(incoming / name, (then, then))
    (media_root / "avatars" / "old-avatar.jpg").write_bytes(b"x")  # outside incoming/
    assert services.avatar_incoming_sweep() == "1 abandoned avatar uploads removed"
    assert _files(media_root) == ["avatars/incoming/fresh", "avatars/old-avatar.jpg"]


def test_migration_renames_avatars_named_after_the_calendar_token(
    media_root, django_capture_on_commit_callbacks
):
    migration = importlib.import_module("members.migrations.0008_avatar_random_names")
    old_style = User.objects.create_user("a@example.org", display_name="A")
    old_name = f"avatars/{old_style.calendar_token[:8]}-20260101120000.jpg"
    (media_root / "avatars").mkdir()
    (media_root / old_name).write_bytes(b"the picture")
    lost = User.objects.create_user("b@example.org", display_name="B")
    random_already = User.objects.create_user("c@example.org", display_name="C")
    random_name = "avatars/" + "ab" * 16 + ".jpg"
    (media_root / random_name).write_bytes(b"new style")
    User.objects.filter(pk=old_style.pk).update(avatar=old_name)
    User.objects.filter(pk=lost.pk).update(avatar=f"avatars/{lost.calendar_token[:8]}-1.jpg")
    User.objects.filter(pk=random_already.pk).update(avatar=random_name)

    with django_capture_on_commit_callbacks(execute=True):
        migration.rename_avatars(django_apps, None)

    for user in (old_style, lost, random_already):
        user.refresh_from_db()
    assert RANDOM_NAME.fullmatch(old_style.avatar.name)
    assert old_style.calendar_token[:8] not in old_style.avatar.name
    assert (media_root / old_style.avatar.name).read_bytes() == b"the picture"
    assert lost.avatar.name == ""  # its file was gone; the token-bearing name goes too
    assert random_already.avatar.name == random_name
    assert _files(media_root) == sorted([old_style.avatar.name, random_name])
