"""What federation brings to the admin home (core/adminhome.py): replies from the fediverse
waiting for an organizer, deliveries that failed."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import ngettext

from core.adminhome import Waiting

from .models import Delivery, DeliveryState, RemoteReply


def failed_deliveries(request) -> Iterable[Waiting]:
    if not request.user.has_perm("federation.view_delivery"):
        return
    count = Delivery.objects.filter(state=DeliveryState.FAILED).count()
    yield Waiting(
        count=count,
        text=ngettext(
            "%(counter)s delivery to the fediverse failed",
            "%(counter)s deliveries to the fediverse failed",
            count,
        )
        % {"counter": count},
        url=reverse("admin:federation_delivery_changelist") + "?state__exact=failed",
        order=91,
    )


def waiting_replies(request) -> Iterable[Waiting]:
    if request.group is None or not request.user.has_perm("federation.change_remotereply"):
        return
    count = RemoteReply.objects.pending().filter(event__group=request.group).count()
    yield Waiting(
        count=count,
        text=ngettext(
            "%(counter)s reply from the fediverse waiting",
            "%(counter)s replies from the fediverse waiting",
            count,
        )
        % {"counter": count},
        url=reverse("admin:federation_remotereply_changelist") + "?state__exact=pending",
    )
