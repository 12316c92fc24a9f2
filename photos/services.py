"""Writes about photos: adding (safely), takedown requests, deletion and moderation."""

from enum import StrEnum

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import generations, images, ratelimit, uploads
from events.models import RSVP, Event, RSVPStatus
from groups.access import viewer_for
from groups.alerts import organizers_alert
from groups.services import is_banned

from .alerts import TAKEDOWN_ALERT_NAME
from .models import (
    INCOMING,
    NOT_STORED,
    Album,
    Photo,
    PhotoStatus,
    TakedownRequest,
    TakedownStatus,
    Visibility,
)
from .tasks import photo_process


def can_upload(user, album: Album) -> bool:
    """Organizers anywhere; members who were going, to their event's album (current members
    only: someone removed or banned since keeps no upload right from an old RSVP). Both are
    the membership role (groups.access.Viewer), read once."""
    if not user.is_authenticated:
        return False
    looking = viewer_for(user, album.group)
    if looking.is_organizer:
        return True
    return (
        album.event_id is not None
        and looking.is_member
        and RSVP.objects.filter(
            event_id=album.event_id, member=user, status=RSVPStatus.GOING
        ).exists()
    )


def upload_rate() -> str:
    return getattr(settings, "POTLUCK_UPLOAD_RATE", "60/h")


def takedown_rate() -> str:
    return getattr(settings, "POTLUCK_TAKEDOWN_RATE", "5/h")


def uploads_allowed(*, member, album: Album, count: int) -> None:
    """Counts `count` files for `album` against the member's hourly budget before any is
    decoded, or raises ValidationError; the album's organizers have no budget."""
    if viewer_for(member, album.group).is_organizer:
        return
    if not ratelimit.take(f"uploads:{member.pk}", rate=upload_rate(), amount=count):
        limit, _seconds = ratelimit.parse_rate(upload_rate())
        raise ValidationError(
            _(
                "One member can add %(limit)d photos an hour, and these would go over that. "
                "Please add them a little later."
            )
            % {"limit": limit},
            code="upload_rate",
        )


def album_for_event(*, event: Event, by) -> Album:
    """The event's album, created when its first photo arrives."""
    with transaction.atomic():
        album, _created = Album.objects.select_for_update().get_or_create(
            event=event,
            defaults={
                "group_id": event.group_id,
                "title": event.title,
                "created_by": by,
                "visibility": Visibility.PUBLIC,
            },
        )
    return album


def photo_add(*, album: Album, uploaded_by, file, caption: str = "", alt_text: str = "") -> Photo:
    """Checks one upload without decoding it (size, format, what its header claims), keeps its
    bytes in quarantine and has the task worker decode it (photos.tasks.photo_process); raises
    ValidationError saying why not. The photo is PROCESSING until the worker is done."""
    if not can_upload(uploaded_by, album):
        raise PermissionDenied
    name = getattr(file, "name", "") or _("the file")
    images.inspect(file, name)
    photo = Photo(
        album=album,
        uploaded_by=uploaded_by,
        caption=caption[:500],
        alt_text=alt_text[:500],
        status=PhotoStatus.PROCESSING,
        upload_name=name[:255],
    )
    storage = photo.image.storage
    incoming = storage.save(photo.incoming_name, file)  # as it came; never served
    needs_approval = (
        album.group.uploads_need_approval and not viewer_for(uploaded_by, album.group).is_organizer
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            photo.full_clean(exclude=["image"])
            photo.save()
            transaction.on_commit(
                lambda: photo_process.enqueue(
                    photo_id=photo.pk, needs_approval=needs_approval, language=language
                )
            )
    except Exception:
        storage.delete(incoming)  # nothing of a refused photo stays behind
        raise
    return photo


def photos_describe(*, member, photos: list[Photo], texts: dict[int, str]) -> int:
    """The upload's second step: each of the member's own photos gets its own description
    (alt text) for people who can't see it. Returns how many changed."""
    changed = 0
    with transaction.atomic():
        for photo in photos:
            if photo.uploaded_by_id != member.pk:
                raise PermissionDenied
            text = texts.get(photo.pk, "").strip()[:500]
            if text != photo.alt_text:
                photo.alt_text = text
                photo.save(update_fields=["alt_text"])  # the save signal moves the counters
                changed += 1
    return changed


def delete_files_after_commit(sender, instance: Photo, **kwargs) -> None:
    """post_delete receiver (photos/apps.py): the photo's files go once the deletion commits,
    and so do the uploaded bytes of a photo still waiting for the worker."""
    fields = (
        instance.image,
        instance.grid_webp,
        instance.grid_jpeg,
        instance.large_webp,
        instance.large_jpeg,
    )
    names = [field.name for field in fields if field]
    if not instance.image:  # processing (or refused, whose bytes went already)
        names.append(instance.incoming_name)
    if names:
        storage = instance.image.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def incoming_sweep(*, now=None) -> str:
    """The periodic job (core.hooks.periodic): files in photos/incoming/ older than
    POTLUCK_INCOMING_MAX_AGE_HOURS that no photo waits for (a request that died between
    storing the bytes and its row, a copy from a restore); a photo still being processed keeps
    its bytes however long the worker takes."""
    waiting = {
        key.hex
        for key in Photo.objects.filter(status=PhotoStatus.PROCESSING).values_list("key", flat=True)
    }
    removed = uploads.sweep(folder=INCOMING, keep=waiting, now=now)
    return f"{removed} abandoned photo uploads removed"


def photo_delete(*, photo: Photo, member) -> None:
    """Uploaders delete their own photos; organizers any. The files go too."""
    if not (
        (member.is_authenticated and photo.uploaded_by_id == member.pk)
        or viewer_for(member, photo.album.group).is_organizer
    ):
        raise PermissionDenied
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo.pk)  # with its renditions
        generations.update(Album.objects.filter(cover_photo=photo), cover_photo=None)
        photo.delete()  # the files go after commit (delete_files_after_commit)


class TakedownOutcome(StrEnum):
    HIDDEN = "hidden"  # hidden at once, until an organizer decides
    QUEUED = "queued"  # in the organizers' queue; the photo stays up meanwhile


def takedown_refusal_for_banned() -> str:
    return _(
        "This account is banned from the group, so it cannot ask for photos to be taken down. "
        "If a photo shows you, write to the organizers with the contact form on the home page."
    )


def has_verified_address(user) -> bool:
    """The account's own address was confirmed (allauth), not only typed in."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def takedown_hides_at_once(*, photo: Photo, member) -> bool:
    """Whose word alone hides a photo: organizers, its uploader, and a current member of the
    group with a verified address (the people the group's photos are of; photos record no
    tags of who is in them). Anyone else's request waits for an organizer."""
    if photo.uploaded_by_id == member.pk:
        return True
    looking = viewer_for(member, photo.album.group)
    return looking.is_organizer or (looking.is_member and has_verified_address(member))


def photo_request_takedown(*, photo: Photo, member) -> TakedownOutcome:
    """ "This is me, please remove": hidden at once for a member with a verified address (and
    for organizers and the uploader), until an organizer decides; from anyone else a request in
    the organizers' queue (TakedownRequest, decided in the admin), the photo still shown.

    Refused (PermissionDenied) for an account banned from the group. A member may ask for a
    few an hour (POTLUCK_TAKEDOWN_RATE), so no one can empty the albums or flood the queue by
    themselves; organizers, and the uploader of the photo, are never limited.
    """
    if not member.is_authenticated:
        raise PermissionDenied
    if is_banned(group=photo.album.group, user=member):
        raise PermissionDenied(takedown_refusal_for_banned())
    exempt = photo.uploaded_by_id == member.pk or viewer_for(member, photo.album.group).is_organizer
    if not exempt and not ratelimit.take(f"takedowns:{member.pk}", rate=takedown_rate()):
        limit, _seconds = ratelimit.parse_rate(takedown_rate())
        raise ValidationError(
            _(
                "You have asked for %(limit)d photos to be taken down in the last hour, the "
                "most one member can. This photo is still shown: to have it removed now, write "
                "to the organizers with the contact form on the home page, or ask again in an "
                "hour."
            )
            % {"limit": limit},
            code="takedown_rate",
        )
    hides = takedown_hides_at_once(photo=photo, member=member)
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo.pk)
        if photo.status in NOT_STORED:  # shown to no one but its uploader and organizers
            raise ValidationError(_("This photo was not stored, so it cannot be shown or hidden."))
        if not hides:
            takedown, created = TakedownRequest.objects.get_or_create(
                photo=photo, requested_by=member, status=TakedownStatus.OPEN
            )
            if created:
                organizers_alert(
                    group=photo.album.group,
                    kind=TAKEDOWN_ALERT_NAME,
                    params={"takedown": takedown.pk},
                )
            return TakedownOutcome.QUEUED
        photo.status = PhotoStatus.HIDDEN
        photo.takedown_requested_by = member
        photo.takedown_requested_at = timezone.now()
        photo.save(update_fields=["status", "takedown_requested_by", "takedown_requested_at"])
        generations.update(Album.objects.filter(cover_photo=photo), cover_photo=None)
    return TakedownOutcome.HIDDEN


def takedown_request_decide(*, takedown: TakedownRequest, hide: bool, by) -> TakedownRequest:
    """An organizer hides the photo (every open request on it is then decided) or dismisses
    this request (the photo stays as it is)."""
    if not viewer_for(by, takedown.photo.album.group).is_organizer:
        raise PermissionDenied
    with transaction.atomic():
        takedown = TakedownRequest.objects.select_for_update().get(pk=takedown.pk)
        if takedown.status != TakedownStatus.OPEN:
            return takedown
        now = timezone.now()
        if hide:
            photo = takedown.photo
            if photo.status not in NOT_STORED and photo.status != PhotoStatus.HIDDEN:
                photo_set_status(photo=photo, status=PhotoStatus.HIDDEN, by=by)
            generations.update(
                TakedownRequest.objects.filter(photo=photo, status=TakedownStatus.OPEN),
                status=TakedownStatus.HIDDEN,
                decided_by=by,
                decided_at=now,
            )
        else:
            generations.update(
                TakedownRequest.objects.filter(pk=takedown.pk),
                status=TakedownStatus.DISMISSED,
                decided_by=by,
                decided_at=now,
            )
        takedown.refresh_from_db()
    return takedown


def photo_set_status(*, photo: Photo, status: str, by) -> Photo:
    """Organizers approve, hide or restore a photo; restoring clears a takedown request."""
    if not viewer_for(by, photo.album.group).is_organizer:
        raise PermissionDenied
    if status not in PhotoStatus.values or status in NOT_STORED:
        raise ValidationError(_("Unknown status."))
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo.pk)
        if photo.status in NOT_STORED:
            raise ValidationError(_("This photo was not stored, so it cannot be shown or hidden."))
        photo.status = status
        if status == PhotoStatus.PUBLISHED:
            photo.takedown_requested_by = None
            photo.takedown_requested_at = None
        else:
            generations.update(Album.objects.filter(cover_photo=photo), cover_photo=None)
        photo.save(update_fields=["status", "takedown_requested_by", "takedown_requested_at"])
    return photo
