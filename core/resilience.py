"""Long-running processes (the worker, the reminders loop) outlive a database restart."""

import logging
import time

from django.db import InterfaceError, OperationalError, connections

# The connection failed or was lost (refused, restarting, closed), not a bad query.
DATABASE_GONE = (OperationalError, InterfaceError)


class Backoff:
    """How long to wait after a failure: 1 s, then twice as long each time, at most 30 s;
    back to 1 s once there has been no failure for a minute."""

    FIRST = 1.0
    MOST = 30.0

    def __init__(self):
        self.delay = self.FIRST
        self.failed_at: float | None = None

    def next(self) -> float:
        now = time.monotonic()
        if self.failed_at is not None and now - self.failed_at > 2 * self.MOST:
            self.delay = self.FIRST
        self.failed_at = now
        delay, self.delay = self.delay, min(self.delay * 2, self.MOST)
        return delay


def wait_for_database(error: Exception, backoff: Backoff, *, logger: logging.Logger, who: str):
    """Logs the failure, drops every broken connection and sleeps before the next try."""
    delay = backoff.next()
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    logger.warning(
        "%s: the database did not answer (%s); trying again in %.0f s", who, first_line, delay
    )
    for connection in connections.all(initialized_only=True):
        connection.close()
    time.sleep(delay)
