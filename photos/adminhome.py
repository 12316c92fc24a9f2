"""What photos bring to the admin home (core/adminhome.py): photos waiting for review and
takedown requests waiting for a decision."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import ngettext

from core.adminhome import Waiting

from .models import Photo, PhotoStatus, TakedownRequest, TakedownStatus


def waiting(request) -> Iterable[Waiting]:
    if request.group is None:
        return
    if request.user.has_perm("photos.change_photo"):
        count = Photo.objects.filter(album__group=request.group, status=PhotoStatus.PENDING).count()
        yield Waiting(
            count=count,
            text=ngettext(
                "%(counter)s photo waiting for review",
                "%(counter)s photos waiting for review",
                count,
            )
            % {"counter": count},
            url=reverse("admin:photos_photo_changelist") + "?status__exact=pending",
        )
    if request.user.has_perm("photos.change_takedownrequest"):
        count = TakedownRequest.objects.filter(
            photo__album__group=request.group, status=TakedownStatus.OPEN
        ).count()
        yield Waiting(
            count=count,
            text=ngettext(
                "%(counter)s takedown request waiting",
                "%(counter)s takedown requests waiting",
                count,
            )
            % {"counter": count},
            url=reverse("admin:photos_takedownrequest_changelist") + "?status__exact=open",
        )
