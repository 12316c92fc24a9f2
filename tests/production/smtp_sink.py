"""A real SMTP server for the email drills: it accepts every message and records, in the
order it said "250", each message's recipients and Message-ID.

aiosmtpd's Controller runs the server in a thread of the test process; the worker under test
is another process that talks SMTP to it like to any mail server (DJANGO_EMAIL_HOST/PORT).
"""

import email
import email.policy
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from .stack import free_port


@dataclass
class Sink:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[tuple[str, str]] = field(default_factory=list)  # (recipient, Message-ID)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, str(message["Message-ID"])))
        return "250 Message accepted for delivery"

    def start(self) -> "Sink":
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: every command
        self.port = free_port(self.host)
        self.controller = Controller(self, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.received)

    def clear(self) -> None:
        with self.lock:
            self.received.clear()


def tally(received: list[tuple[str, str]]) -> dict:
    """What a drill reads in the sink: Message-IDs per recipient and copies per Message-ID."""
    ids: dict[str, set[str]] = {}
    for recipient, message_id in received:
        ids.setdefault(recipient, set()).add(message_id)
    copies = Counter(message_id for _recipient, message_id in received)
    return {
        "recipients": ids,
        "duplicates": sum(count - 1 for count in copies.values() if count > 1),
    }
