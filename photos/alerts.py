"""Organizers hear of a takedown request (groups/alerts.py); PhotosConfig.ready registers it."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groups.hooks import AlertKind

from .models import TakedownRequest

TAKEDOWN_ALERT_NAME = "takedown_requested"


def takedown_line(params: dict) -> tuple[str, str] | None:
    takedown = (
        TakedownRequest.objects.select_related("photo__album")
        .filter(pk=params.get("takedown"))
        .first()
    )
    if takedown is None:
        return None
    text = gettext("Someone asked for a photo in “%(album)s” to be taken down.") % {
        "album": takedown.photo.album.title
    }
    return text, reverse("admin:photos_takedownrequest_change", args=[takedown.pk])


TAKEDOWN_ALERT = AlertKind(
    name=TAKEDOWN_ALERT_NAME,
    label=_("A takedown request, for organizers"),
    line=takedown_line,
    templates="photos/email/takedown_requested",
)
