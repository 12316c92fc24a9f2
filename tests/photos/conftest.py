import io

import pytest
from PIL import Image, ImageDraw

from events import services as event_services
from photos.models import Album
from tests.factories import EventFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every photo test writes into its own empty media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def image_bytes(fmt="JPEG", size=(1200, 800), **save_kwargs) -> bytes:
    image = Image.new("RGB", size, (200, 120, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 3, size[1] // 2), fill=(20, 80, 160))  # top-left marker
    out = io.BytesIO()
    image.save(out, fmt, **save_kwargs)
    return out.getvalue()


class Upload(io.BytesIO):
    """What Django hands a view for an uploaded file: bytes with a name and a size."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


@pytest.fixture
def event(group):
    return EventFactory()


@pytest.fixture
def attendee(event):
    """A member who was going to the event."""
    user = UserFactory()
    event_services.rsvp_set(event=event, member=user, going=True)
    return user


@pytest.fixture
def album(event, group):
    return Album.objects.create(group=group, event=event, title=event.title)
