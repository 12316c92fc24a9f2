"""Email backends for tests only."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailOneAddressBackend(LocmemBackend):
    """Django's locmem backend, except that the server refuses the addresses in "refuse".

    Configure it with MAILERS = {"default": {"BACKEND": "tests.mail_backends.FailOneAddressBackend",
    "OPTIONS": {"refuse": ["bounce@example.org"]}}}. A message to a refused address raises
    smtplib.SMTPRecipientsRefused, as Django's SMTP backend does when the server answers 550
    (or "code", e.g. 451 for a mailbox that is only busy) to every recipient, and never reaches
    mail.outbox; every other message is stored as usual.
    """

    def __init__(self, *args, refuse=(), code=550, **kwargs):
        super().__init__(*args, **kwargs)
        self.refuse = frozenset(address.lower() for address in refuse)
        self.code = code

    def send_messages(self, messages):
        for message in messages:
            reason = b"5.1.1" if self.code >= 500 else b"4.2.1"
            refused = {
                address: (
                    self.code,
                    reason + b" <%s>: Recipient address rejected" % address.encode(),
                )
                for address in message.recipients()
                if address.lower() in self.refuse
            }
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)


class UnreachableBackend(LocmemBackend):
    """A mail server that cannot be reached: opening the connection is refused."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")
