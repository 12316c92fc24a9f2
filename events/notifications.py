"""The emails Potluck sends about events: who gets what, built from templates, logged.

Every email leaves through a django.tasks task enqueued with transaction.on_commit, so a change
that rolls back sends nothing and no web request waits for a mail server.
"""

import ipaddress
import logging
import re
from collections.abc import Iterable
from email.header import Header
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from . import ical, timefmt
from .models import RSVP, EmailKind, EmailLog, EmailOutcome, Event, RSVPStatus
from .seo import absolute

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Emails a member can turn off, and the preference that does it.
PREFERENCES = {
    EmailKind.ANNOUNCEMENT: "notify_new_events",
    EmailKind.REMINDER: "notify_reminders",
    EmailKind.MESSAGE: "notify_organizer_messages",
    EmailKind.GROUP_POST: "notify_announcements",
    EmailKind.REPLY: "notify_discussions",
    EmailKind.DIGEST: "notify_discussions",
    EmailKind.PROPOSAL: "notify_decisions",
    EmailKind.POLL: "notify_decisions",
    EmailKind.POLL_REMINDER: "notify_poll_reminders",
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


def render_plain(template_name: str, context: dict) -> str:
    """Renders a subject or plain-text body with autoescape off: "we're", not "we&#x27;re"."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


class AsciiHeader(str):
    """A header value sent exactly as given: ASCII, folded only at its spaces, never encoded.

    Python's email policies (Django 6.1 builds messages with email.policy.default, its SMTP
    backend with email.policy.SMTP) fold an unstructured header whose one word does not fit
    in 78 characters, such as a long unsubscribe URL, into RFC 2047 encoded words
    (=?utf-8?q?...?=), which List-Unsubscribe readers (RFC 2369, 8058) do not decode. A value
    with a matching `name` and a `fold()` method is a header object to the policy
    (EmailPolicy.header_store_parse), so it is written the way fold() below says.
    """

    name: str

    def __new__(cls, name: str, value: str):
        value = str(value)
        value.encode("ascii")  # UnicodeEncodeError: these headers must be ASCII
        if re.search(r"[\x00-\x1f\x7f]", value):
            raise ValueError(f"{name} must be one line of printable ASCII")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __getnewargs__(self):  # copies (the locmem backend keeps a deep copy) and pickles
        return (self.name, str(self))

    def fold(self, *, policy) -> str:
        """RFC 5322 folding at whitespace only; a longer word stays whole (up to 998)."""
        limit = policy.max_line_length or 998
        words = self.split()
        lines = [f"{self.name}: {words[0]}" if words else f"{self.name}:"]
        for word in words[1:]:
            if len(lines[-1]) + 1 + len(word) <= limit:
                lines[-1] += f" {word}"
            else:
                lines.append(f" {word}")
        return policy.linesep.join(lines) + policy.linesep


_ATEXT_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")


def list_id(group) -> str:
    """RFC 2919: "Group name <slug.site-host>"; an IP address or no host means "localhost"."""
    host = (urlsplit(settings.SITE_URL).hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
        host = ""
    except ValueError:
        pass
    namespace = host.encode("idna").decode("ascii") if host else "localhost"
    name = " ".join(group.name.split())
    if not name.isascii():
        # RFC 2047 allows encoded words in a phrase; the identifier itself stays plain.
        phrase = " ".join(Header(name, "utf-8").encode().split())
    elif _ATEXT_PHRASE.fullmatch(name):
        phrase = name
    else:
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{group.slug.lower()}.{namespace}>"


def build_message(
    *, kind: str, user, event: Event | None, extra: dict, group=None
) -> EmailMultiAlternatives:
    """One email to one member; `group` names the list (List-Id) of an email about no event."""
    group = event.group if event is not None else group
    context = {
        "user": user,
        "event": event,
        "group": group,
        "site_url": settings.SITE_URL,
        "event_url": absolute(event.get_absolute_url()) if event else settings.SITE_URL,
        # Times in the recipient's own zone beside the group's, if they chose one on /me/
        # (events/templatetags/events.py); None: the group's alone.
        "reader_zone": timefmt.reader_zone(user),
        **extra,
    }
    headers = {}
    if group is not None:
        headers["List-Id"] = AsciiHeader("List-Id", list_id(group))
    if kind in PREFERENCES:
        link = absolute(reverse("events:unsubscribe", args=[unsubscribe_token(user, kind)]))
        context["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = AsciiHeader("List-Unsubscribe", f"<{link}>")
        headers["List-Unsubscribe-Post"] = AsciiHeader(
            "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
        )
    # In the member's own language (chosen on /me/ or with the footer's switch).
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        subject = " ".join(render_plain(f"emails/{kind}_subject.txt", context).split())
        text = render_plain(f"emails/{kind}.txt", context)
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


def deliver(*, kind: str, user, event: Event | None, extra: dict | None = None, group=None) -> bool:
    """Sends one email and records the outcome; a failure is logged, never raised."""
    try:
        build_message(kind=kind, user=user, event=event, extra=extra or {}, group=group).send()
    except Exception as error:
        logger.warning("email %s to user %s failed: %s", kind, user.pk, error)
        EmailLog.objects.create(
            kind=kind,
            recipient=user,
            address=user.email,
            event=event,
            outcome=EmailOutcome.FAILED,
            error=str(error)[:300],
        )
        return False
    EmailLog.objects.create(
        kind=kind, recipient=user, address=user.email, event=event, outcome=EmailOutcome.SENT
    )
    return True


# --- Enqueueing --------------------------------------------------------------------------------

# The task that sends one batch: events.tasks imports this module, so this module does not
# import it back; EventsConfig.ready() registers events.tasks.send_batch here.
_send_batch = None


def send_batch_register(task) -> None:
    global _send_batch
    _send_batch = task


def notify(
    *,
    kind: str,
    user_ids: Iterable[int],
    event: Event | None,
    extra: dict | None = None,
    task=None,
):
    """Queues the email for these members once the transaction commits, in batches.

    `task` is the django.tasks task that sends a batch (events.tasks.send_batch unless another
    app sends its own kinds: conversation.tasks.send_batch); it takes kind, user_ids, event_id
    and extra."""
    send_batch = task or _send_batch
    if send_batch is None:
        raise RuntimeError("events.tasks.send_batch is not registered (EventsConfig.ready)")
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
