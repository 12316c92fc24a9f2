"""Past events' photos from a folder or a ZIP (`manage.py import_photos`): one folder per event
(Meetup id, slug or date), every image through the upload pipeline, bombs and traversal refused."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from photos.importing import event_for_folder, photos_import
from photos.models import Photo, PhotoStatus
from tests.factories import EventFactory

from . import samples
from .conftest import image_bytes, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_events(group):
    return {
        "meetup": EventFactory(
            title="Cooperatives 101",
            import_uid="event_301000001@meetup.com",
            starts_at=datetime(2026, 3, 10, 22, 30, tzinfo=UTC),  # 18:30 in New York
            ends_at=datetime(2026, 3, 11, 0, 30, tzinfo=UTC),
        ),
        "slug": EventFactory(
            title="Summer picnic",
            slug="summer-picnic",
            starts_at=datetime(2026, 7, 4, 16, 0, tzinfo=UTC),
            ends_at=datetime(2026, 7, 4, 20, 0, tzinfo=UTC),
        ),
        # 22:00 on 1 May in New York is 02:00 UTC on 2 May: the folder goes by the group's date.
        "date": EventFactory(
            title="May Day social",
            starts_at=datetime(2026, 5, 2, 2, 0, tzinfo=UTC),
            ends_at=datetime(2026, 5, 2, 4, 0, tzinfo=UTC),
        ),
    }


def _zip(files: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_folder_names_map_to_events(group, past_events):
    assert event_for_folder("301000001", group) == past_events["meetup"]
    assert event_for_folder("summer-picnic", group) == past_events["slug"]
    assert event_for_folder("2026-05-01", group) == past_events["date"]
    assert event_for_folder("2026-05-02", group) is None
    assert event_for_folder("999", group) is None


def test_zip_import_goes_through_the_pipeline(
    group, organizer, past_events, tmp_path, media_root, django_capture_on_commit_callbacks
):
    archive = _zip(
        {
            "301000001/one.jpg": samples.dirty_jpeg(),
            "301000001/two.png": samples.dirty_png(),
            "summer-picnic/three.jpg": image_bytes(),
            "2026-05-01/four.jpg": image_bytes(),
            "2026-05-01/notes.txt": b"not a photo",
            "loose.jpg": image_bytes(),
            "unknown-folder/five.jpg": image_bytes(),
            "301000001/broken.jpg": b"\xff\xd8\xffnot really",
        },
        tmp_path / "photos.zip",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = photos_import(source=archive, group=group, by=organizer)
    assert result.added == 4
    assert result.skipped == [
        "2026-05-01/notes.txt: not a photo",
        "loose.jpg: not in an event's folder",
        "unknown-folder/five.jpg: the folder names no event",
    ]
    assert len(result.refused) == 1 and result.refused[0].startswith("301000001/broken.jpg: ")
    by_event = {
        event: sorted(
            Photo.objects.filter(album__event=past_events[event]).values_list("status", "alt_text")
        )
        for event in past_events
    }
    published = (PhotoStatus.PUBLISHED, "")  # the file name is forgotten once it is processed
    assert by_event == {"meetup": [published, published], "slug": [published], "date": [published]}
    # Every stored file was re-encoded by the worker: the secrets in EXIF/XMP/text are gone.
    for path in stored_files(media_root):
        assert samples.SECRET not in (media_root / path).read_bytes()
    # Each album lists its new photos, all still waiting for a description (alt text).
    assert sorted(len(ids) for ids in result.undescribed.values()) == [1, 1, 2]


def test_folder_import(group, organizer, past_events, tmp_path, django_capture_on_commit_callbacks):
    (tmp_path / "photos" / "summer-picnic").mkdir(parents=True)
    (tmp_path / "photos" / "summer-picnic" / "a.jpg").write_bytes(image_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        result = photos_import(source=tmp_path / "photos", group=group, by=organizer)
    assert result.added == 1
    assert Photo.objects.get().album.event == past_events["slug"]


@pytest.mark.parametrize(
    "name",
    ["../evil.jpg", "/etc/evil.jpg", "301000001/../../evil.jpg", "C:/evil.jpg", "a\\..\\evil.jpg"],
)
def test_zip_path_traversal_imports_nothing(group, organizer, past_events, tmp_path, name):
    archive = _zip({"301000001/fine.jpg": image_bytes(), name: image_bytes()}, tmp_path / "x.zip")
    with pytest.raises(ValidationError) as error:
        photos_import(source=archive, group=group, by=organizer)
    assert error.value.messages == [f"{name} has an unsafe path."]
    assert Photo.objects.count() == 0


def test_zip_bomb_imports_nothing(group, organizer, past_events, tmp_path):
    """200 MB of zeros compress to about 200 KB: refused from the header, nothing unpacked."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("301000001/fine.jpg", image_bytes())
        with archive.open("301000001/bomb.jpg", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ValidationError) as error:
        photos_import(source=path, group=group, by=organizer)
    assert "refused as a ZIP bomb" in error.value.messages[0]
    assert Photo.objects.count() == 0


def test_zip_symlink_imports_nothing(group, organizer, past_events, tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        link = zipfile.ZipInfo("301000001/link.jpg")
        link.external_attr = 0o120777 << 16  # a symbolic link
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ValidationError) as error:
        photos_import(source=path, group=group, by=organizer)
    assert error.value.messages == ["301000001/link.jpg is a link."]


def test_command(group, organizer, past_events, tmp_path, django_capture_on_commit_callbacks):
    archive = _zip({"summer-picnic/a.jpg": image_bytes()}, tmp_path / "p.zip")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_photos", str(archive), stdout=out)
    photo = Photo.objects.get()
    assert out.getvalue().splitlines() == [
        "1 added, 0 skipped, 0 refused",
        f"1 photos need a description (alt text): "
        f"/photos/albums/{photo.album_id}/describe/?photos={photo.pk}",
    ]
    assert photo.uploaded_by == organizer


def test_command_refuses_a_non_organizer(group, member, tmp_path):
    archive = _zip({"x/a.jpg": image_bytes()}, tmp_path / "p.zip")
    with pytest.raises(CommandError) as error:
        call_command("import_photos", str(archive), "--by", member.email)
    assert str(error.value) == f"{member.email} is not an organizer of the group."


def test_organizers_find_the_photos_without_a_description(
    client, group, organizer, past_events, tmp_path, django_capture_on_commit_callbacks
):
    archive = _zip(
        {"summer-picnic/a.jpg": image_bytes(), "summer-picnic/b.jpg": image_bytes()},
        tmp_path / "p.zip",
    )
    with django_capture_on_commit_callbacks(execute=True):
        photos_import(source=archive, group=group, by=organizer)
    described = Photo.objects.order_by("pk").first()
    described.alt_text = "Two people laying out a picnic blanket"
    described.save()
    client.force_login(organizer)
    missing = client.get("/admin/photos/photo/?described=no")
    assert [photo.pk for photo in missing.context["cl"].result_list] == [
        Photo.objects.order_by("pk").last().pk
    ]
    written = client.get("/admin/photos/photo/?described=yes")
    assert [photo.pk for photo in written.context["cl"].result_list] == [described.pk]
