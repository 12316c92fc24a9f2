"""Sending one claimed email and recording what happened, each outcome in its own UPDATE.

The row is marked sent the moment the mail server accepted it, in a short transaction of its
own: the only window in which an email can go out twice is between the server's "250 OK" and
that UPDATE (a worker killed there leaves the row claimed; another worker sends it again once
the lease expires, with the same Message-ID, so mail clients can drop the copy).
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from ..models import Email, EmailState
from . import message
from .kinds import kinds

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# After attempt n fails for a temporary reason, the next one waits RETRY_DELAYS[n - 1] seconds.
RETRY_DELAYS = (60, 5 * 60, 15 * 60, 60 * 60, 3 * 60 * 60, 6 * 60 * 60, 12 * 60 * 60)


class NotDue(Exception):
    """The email is no longer to be sent: its member left or turned the kind off, or the kind's
    context builder said so (what it was about is gone, the member voted meanwhile)."""


def is_temporary(error: BaseException) -> bool:
    """Worth another try later: the server answered 4xx, went away, or could not be reached,
    or the database hiccupped while rendering. 5xx answers (a refused address, a refused
    message), bad addresses and errors in rendering are permanent."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reason in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, (OSError, OperationalError, InterfaceError))


def build(row: Email):
    """The message of a claimed row, with its Message-ID; raises NotDue."""
    if row.rendered:
        return message.from_row(row)
    kind = kinds.get(row.kind)
    if kind is None:
        raise LookupError(f"no email kind {row.kind!r} is registered")
    user = row.recipient
    if user is None or not user.is_active:
        raise NotDue("the member is gone")
    if kind.preference is not None and not getattr(user, kind.preference):
        raise NotDue("the member turned these emails off")
    built = message.render(
        kind=kind,
        recipient=user,
        params=row.params,
        address=row.address,
        message_id=row.message_id,
    )
    if built is None:
        raise NotDue("no longer due")
    return built


def _finish(row: Email, *, worker: str, **fields) -> bool:
    """One UPDATE of the row, only while this worker still holds it."""
    done = Email.objects.filter(pk=row.pk, state=EmailState.SENDING, claimed_by=worker).update(
        lease_expires_at=None, **fields
    )
    if not done:
        logger.warning("email %s was no longer held by %s when it was sent", row.pk, worker)
    return bool(done)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])


def deliver(*, row: Email, mailer, worker: str, now: datetime | None = None) -> str:
    """Renders and sends one claimed row through the mailer (an open email backend), then
    records the outcome; returns the row's new state ("" when it was dropped as not due)."""
    try:
        built = build(row)
    except NotDue as reason:
        logger.info("email %s (%s) not sent: %s", row.pk, row.kind, reason)
        Email.objects.filter(pk=row.pk, state=EmailState.SENDING, claimed_by=worker).delete()
        return ""
    except Exception as error:
        return failed(row, error, worker=worker, now=now)
    try:
        mailer.send_messages([built])
    except Exception as error:
        return failed(row, error, worker=worker, now=now)
    sent = {
        "state": EmailState.SENT,
        "sent_at": timezone.now(),
        "subject": built.subject[:998],
        "language": row.language or message.language_of(row.recipient),
        "last_error": "",
    }
    if row.rendered:  # the bodies may hold secrets (a code, a reset link): gone once sent
        sent |= {"text": "", "html": ""}
    _finish(row, worker=worker, **sent)
    return EmailState.SENT


def failed(row: Email, error: BaseException, *, worker: str, now: datetime | None = None) -> str:
    """A temporary failure waits for another attempt; a permanent one, or the last attempt,
    leaves the row failed, its error shown in the admin (where organizers can retry it)."""
    now = now or timezone.now()
    text = str(error)[:300] or type(error).__name__
    if is_temporary(error) and row.attempts < MAX_ATTEMPTS:
        logger.warning("email %s (%s) to try again: %s", row.pk, row.kind, text)
        _finish(
            row,
            worker=worker,
            state=EmailState.QUEUED,
            next_attempt_at=now + retry_delay(row.attempts),
            last_error=text,
        )
        return EmailState.QUEUED
    logger.warning("email %s (%s) to user %s failed: %s", row.pk, row.kind, row.recipient_id, text)
    _finish(row, worker=worker, state=EmailState.FAILED, last_error=text)
    return EmailState.FAILED


def release(*, ids: list[int], worker: str) -> int:
    """Gives back claimed rows this worker will not send (its lease is running out): queued
    again, the attempt not counted."""
    return Email.objects.filter(pk__in=ids, state=EmailState.SENDING, claimed_by=worker).update(
        state=EmailState.QUEUED, lease_expires_at=None, attempts=F("attempts") - 1
    )
