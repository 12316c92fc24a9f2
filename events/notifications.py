"""The emails Potluck sends about events: who gets what, built from templates, logged.

Every email leaves through a django.tasks task enqueued with transaction.on_commit, so a change
that rolls back sends nothing and no web request waits for a mail server.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import ical
from .models import RSVP, EmailKind, EmailLog, EmailOutcome, Event, RSVPStatus
from .seo import absolute

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Emails a member can turn off, and the preference that does it.
PREFERENCES = {
    EmailKind.ANNOUNCEMENT: "notify_new_events",
    EmailKind.REMINDER: "notify_reminders",
    EmailKind.MESSAGE: "notify_organizer_messages",
}
UNSUBSCRIBE_SALT = "potluck.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 180  # half a year
CANT_MAKE_IT_SALT = "potluck.cant-make-it"


# --- Signed links that work without logging in -------------------------------------------------


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user pk, kind); raises signing.BadSignature (tampered) or SignatureExpired."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if data.get("k") not in PREFERENCES:
        raise signing.BadSignature("unknown kind")
    return int(data["u"]), data["k"]


def cant_make_it_token(rsvp: RSVP) -> str:
    return signing.dumps({"r": rsvp.pk, "u": rsvp.member_id}, salt=CANT_MAKE_IT_SALT)


def read_cant_make_it_token(token: str, *, max_age: int) -> tuple[int, int]:
    data = signing.loads(token, salt=CANT_MAKE_IT_SALT, max_age=max_age)
    return int(data["r"]), int(data["u"])


# --- Building and sending one email ------------------------------------------------------------


def build_message(*, kind: str, user, event: Event | None, extra: dict) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "event": event,
        "group": event.group if event else None,
        "site_url": settings.SITE_URL,
        "event_url": absolute(event.get_absolute_url()) if event else settings.SITE_URL,
        **extra,
    }
    headers = {}
    if kind in PREFERENCES:
        link = absolute(reverse("events:unsubscribe", args=[unsubscribe_token(user, kind)]))
        context["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        text = render_to_string(f"emails/{kind}.txt", context)
        html = render_to_string(f"emails/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    if kind == EmailKind.CONFIRMATION and event is not None:
        feed = ical.build_calendar(
            ical.feed_events(Event.objects.filter(pk=event.pk)),
            group=event.group,
            name=event.title,
            description=event.group.name,
            going_ids=frozenset({event.pk}),
        )
        message.attach(f"{event.slug}.ics", feed, "text/calendar; charset=utf-8; method=PUBLISH")
    return message


def deliver(*, kind: str, user, event: Event | None, extra: dict | None = None) -> bool:
    """Sends one email and records the outcome; a failure is logged, never raised."""
    try:
        build_message(kind=kind, user=user, event=event, extra=extra or {}).send()
    except Exception as error:
        logger.warning("email %s to user %s failed: %s", kind, user.pk, error)
        EmailLog.objects.create(
            kind=kind, recipient=user, address=user.email, event=event,
            outcome=EmailOutcome.FAILED, error=str(error)[:300],
        )  # fmt: skip
        return False
    EmailLog.objects.create(
        kind=kind, recipient=user, address=user.email, event=event, outcome=EmailOutcome.SENT
    )
    return True


# --- Enqueueing --------------------------------------------------------------------------------


def notify(*, kind: str, user_ids: Iterable[int], event: Event | None, extra: dict | None = None):
    """Queues the email for these members once the transaction commits, in batches."""
    from .tasks import send_batch

    ids = sorted(set(user_ids))
    if not ids:
        return
    event_id = event.pk if event else None
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        # robust: a batch that cannot be queued is logged and the others still go.
        transaction.on_commit(
            lambda batch=batch: send_batch.enqueue(
                kind=str(kind), user_ids=batch, event_id=event_id, extra=extra or {}
            ),
            robust=True,
        )


def recipients(kind: str, user_ids: Iterable[int]):
    """Active members among user_ids who have not turned this kind of email off."""
    users = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True)
    preference = PREFERENCES.get(kind)
    if preference:
        users = users.filter(**{preference: True})
    return users.order_by("pk")


def attendees(event: Event, *, statuses=(RSVPStatus.GOING, RSVPStatus.WAITLISTED), exclude=None):
    ids = RSVP.objects.filter(event=event, status__in=statuses, member__isnull=False)
    if exclude is not None and getattr(exclude, "pk", None):
        ids = ids.exclude(member=exclude)
    return ids.values_list("member_id", flat=True)
