"""The emails about events: their kinds (registered in core's registry by EventsConfig.ready),
what renders them, and the "can't make it" link.

Every email is queued in the transaction of the change that causes it (core.emails.outbox)
and rendered by the worker for each recipient, in their language and time zone.
"""

from collections.abc import Iterable

from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.emails.batch import once_per_batch
from core.emails.kinds import EmailKind
from core.emails.outbox import emails_queue

from . import ical
from .models import RSVP, Event, RSVPStatus
from .seo import absolute

CANT_MAKE_IT_SALT = "potluck.cant-make-it"


class EventEmail(models.TextChoices):
    CONFIRMATION = "confirmation", _("RSVP confirmation")
    WAITLISTED = "waitlisted", _("Joined the waitlist")
    PROMOTED = "promoted", _("Promoted from the waitlist")
    CHANGED = "changed", _("Event changed")
    CANCELLED = "cancelled", _("Event cancelled")
    REMINDER = "reminder", _("Reminder")
    ANNOUNCEMENT = "announcement", _("New event announced")
    SERIES_DATE = "series_date", _("New date in a series followed")
    MESSAGE = "message", _("Message from organizers")
    HOST_CANCELLED = "host_cancelled", _("RSVP changed to not going by a host")
    NO_SHOW_NOTE = "no_show_note", _("Note about missed events")


# Emails a member can turn off, and the preference (members.User) that does it.
PREFERENCES = {
    EventEmail.ANNOUNCEMENT: "notify_new_events",
    EventEmail.SERIES_DATE: "notify_series",
    EventEmail.REMINDER: "notify_reminders",
    EventEmail.MESSAGE: "notify_organizer_messages",
}
# Emails that tell the member about their own RSVP: their place, the "can't make it" link.
ABOUT_THE_RSVP = {
    EventEmail.CONFIRMATION,
    EventEmail.WAITLISTED,
    EventEmail.PROMOTED,
    EventEmail.REMINDER,
}


# --- "I can't make it": a signed link that works without logging in ----------------------------


def cant_make_it_token(rsvp: RSVP) -> str:
    return signing.dumps({"r": rsvp.pk, "u": rsvp.member_id}, salt=CANT_MAKE_IT_SALT)


def read_cant_make_it_token(token: str, *, max_age: int) -> tuple[int, int]:
    data = signing.loads(token, salt=CANT_MAKE_IT_SALT, max_age=max_age)
    return int(data["r"]), int(data["u"])


# --- Rendering (in the worker, per recipient) --------------------------------------------------


def _event(pk) -> Event | None:
    return Event.objects.select_related("group", "venue", "series").filter(pk=pk).first()


def event_context(params: dict, user) -> dict | None:
    """The event the email is about, and what the change that queued it said (params)."""
    pk = params.get("event")
    event = once_per_batch(("event", pk), lambda: _event(pk))
    if event is None:
        return None  # deleted meanwhile
    details = {key: value for key, value in params.items() if key != "event"}
    return {
        "event": event,
        "group": event.group,
        "event_url": absolute(event.get_absolute_url()),
        **details,
    }


def rsvp_context(params: dict, user) -> dict | None:
    """The event's context, with the member's own RSVP: waitlist place, "can't make it"."""
    context = event_context(params, user)
    if context is None:
        return None
    event = context["event"]
    rsvp = RSVP.objects.filter(event=event, member=user).with_waitlist_position().first()
    if rsvp is not None:
        context["rsvp"] = rsvp
        context["position"] = rsvp.waitlist_position
        context["cant_make_it_url"] = absolute(
            reverse("events:cant_make_it", args=[cant_make_it_token(rsvp)])
        )
        context["online_url"] = event.online_url if rsvp.is_going and event.is_online else ""
    return context


def series_context(params: dict, user) -> dict | None:
    """The event's context, with its series' page (where the follow is turned off); None
    when the event left the series meanwhile."""
    context = event_context(params, user)
    if context is None or context["event"].series is None:
        return None
    context["series_url"] = absolute(context["event"].series.get_absolute_url())
    return context


def _context(kind: EventEmail):
    if kind in ABOUT_THE_RSVP:
        return rsvp_context
    return series_context if kind == EventEmail.SERIES_DATE else event_context


def calendar_attachment(params: dict, context: dict) -> list[tuple[str, str, str]]:
    """The confirmation's .ics, the same event as in every calendar feed."""
    event = context["event"]
    feed = ical.build_calendar(
        ical.feed_events(Event.objects.filter(pk=event.pk)),
        group=event.group,
        name=event.title,
        description=event.group.name,
        going_ids=frozenset({event.pk}),
    )
    return [(f"{event.slug}.ics", feed, "text/calendar; charset=utf-8; method=PUBLISH")]


KINDS = [
    EmailKind(
        name=kind.value,
        label=kind.label,
        preference=PREFERENCES.get(kind),
        context=_context(kind),
        attachments=calendar_attachment if kind == EventEmail.CONFIRMATION else None,
    )
    for kind in EventEmail
]


# --- Queueing (in the transaction of the change) -----------------------------------------------


def notify(*, kind: str, user_ids: Iterable[int], event: Event, extra: dict | None = None) -> int:
    """Queues the email about this event for these members (those who turned the kind off
    excepted), in the caller's transaction; returns how many."""
    return emails_queue(kind=kind, user_ids=user_ids, params={"event": event.pk, **(extra or {})})


def attendees(event: Event, *, statuses=(RSVPStatus.GOING, RSVPStatus.WAITLISTED), exclude=None):
    ids = RSVP.objects.filter(event=event, status__in=statuses, member__isnull=False)
    if exclude is not None and getattr(exclude, "pk", None):
        ids = ids.exclude(member=exclude)
    return ids.values_list("member_id", flat=True)
