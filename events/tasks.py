from django.tasks import task
from django.urls import reverse

from .models import RSVP, EmailKind, Event
from .notifications import cant_make_it_token, deliver, recipients
from .seo import absolute


@task()
def send_batch(*, kind: str, user_ids: list[int], event_id: int | None, extra: dict) -> dict:
    """Sends one batch of an email; returns how many went out and how many failed."""
    event = (
        Event.objects.select_related("group", "venue", "series").filter(pk=event_id).first()
        if event_id
        else None
    )
    sent = failed = 0
    for user in recipients(EmailKind(kind), user_ids):
        if deliver(kind=kind, user=user, event=event, extra=_extra_for(kind, user, event, extra)):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


def _extra_for(kind, user, event, extra) -> dict:
    """Per-recipient details: waitlist place, the "can't make it" link."""
    details = dict(extra)
    if event is None:
        return details
    if kind in (
        EmailKind.WAITLISTED,
        EmailKind.REMINDER,
        EmailKind.CONFIRMATION,
        EmailKind.PROMOTED,
    ):
        rsvp = RSVP.objects.filter(event=event, member=user).with_waitlist_position().first()
        if rsvp is not None:
            details["rsvp"] = rsvp
            details["position"] = rsvp.waitlist_position
            details["cant_make_it_url"] = absolute(
                reverse("events:cant_make_it", args=[cant_make_it_token(rsvp)])
            )
            details["online_url"] = event.online_url if rsvp.is_going and event.is_online else ""
    return details
