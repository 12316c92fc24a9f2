"""Email backends for tests only."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailOneAddressBackend(LocmemBackend):
    """Django's locmem backend, except that the server refuses the addresses in "refuse".

    Configure it with MAILERS = {"default": {"BACKEND": "tests.mail_backends.FailOneAddressBackend",
    "OPTIONS": {"refuse": ["bounce@example.org"]}}}. A message to a refused address raises
    smtplib.SMTPRecipientsRefused, as Django's SMTP backend does when the server answers 550 to
    every recipient, and never reaches mail.outbox; every other message is stored as usual.
    """

    def __init__(self, *args, refuse=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.refuse = frozenset(address.lower() for address in refuse)

    def send_messages(self, messages):
        for message in messages:
            refused = {
                address: (550, b"5.1.1 <%s>: Recipient address rejected" % address.encode())
                for address in message.recipients()
                if address.lower() in self.refuse
            }
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
