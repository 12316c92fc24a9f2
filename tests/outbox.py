"""Helpers for tests that read the emails an action sends.

A test that sets things up through the services without running their on-commit callbacks
leaves those emails queued in the outbox (core.models.Email); the next drain sends them, as a
real commit would have at once. set_up_sent() sends them first and empties mail.outbox, so
what follows is the action's own."""

from django.core import mail

from core.emails.outbox import outbox_drain


def set_up_sent() -> None:
    """Sends what the set-up queued, then empties the test mailbox."""
    outbox_drain()
    mail.outbox.clear()
