"""What happens to an avatar after its upload, in the task worker, as for album photos: the
web request only reads the header (core.images.inspect) and keeps the bytes in quarantine;
the decoding, which a small file claiming millions of pixels makes costly, happens here."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.utils import translation

from core import images, uploads

from .models import User

logger = logging.getLogger(__name__)

AVATAR_SIZE = 512
INCOMING = "avatars/incoming"


def incoming_name() -> str:
    """A new quarantine name: random, naming neither the member nor their tokens."""
    return f"{INCOMING}/{uuid.uuid4().hex}"


def avatar_name() -> str:
    """A stored avatar's name: random, so it says nothing about whose it is."""
    return f"avatars/{uuid.uuid4().hex}.jpg"


@task()
def avatar_process(*, member_id: int, incoming: str, upload_name: str, language: str) -> str:
    """Decodes a quarantined avatar (in a decode slot), stores it re-encoded as a 512 px JPEG
    without metadata, and makes it the member's; the old one and the quarantined bytes go. A
    file that cannot be decoded is dropped (logged): the member keeps the avatar they had."""
    images.yield_to_the_web(avatar_process)
    storage = default_storage
    if not User.objects.filter(pk=member_id).exists():
        storage.delete(incoming)
        return "gone"
    with translation.override(language):
        try:
            with (
                images.decode_slot(upload_name, wait=images.WORKER_SLOT_WAIT),
                storage.open(incoming, "rb") as upload,
            ):
                decoded = images.decode(upload, upload_name, longest=AVATAR_SIZE, slot=False)
                picture = images.fit_longest(decoded.image, AVATAR_SIZE)
            name = storage.save(
                avatar_name(), ContentFile(images.encode(picture, "JPEG", quality=85))
            )
        except FileNotFoundError:
            return "lost"  # swept, or taken by a restore; nothing to store
        except (ValidationError, uploads.StorageFull) as error:
            logger.warning("Avatar of member %s not stored: %s", member_id, error)
            storage.delete(incoming)
            return "refused"
    with transaction.atomic():
        member = User.objects.select_for_update().filter(pk=member_id).first()
        if member is None:  # the account went while the avatar was decoded
            transaction.on_commit(lambda: storage.delete(name))
        else:
            old = member.avatar.name
            member.avatar = name
            member.save(update_fields=["avatar"])
            if old:
                transaction.on_commit(lambda: storage.delete(old))
    storage.delete(incoming)
    return "stored"
