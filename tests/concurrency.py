"""Running jobs at the same moment, each on its own PostgreSQL connection.

Every thread opens its connection first and only then waits at the barrier, so the jobs overlap
in the database and not in the connecting. PostgreSQL refuses connections past max_connections
("too many clients"), and under `make test` the other test process may briefly hold many (the
production suite's servers and worker): a thread waits and tries again, up to a deadline, rather
than failing a race test for a reason that has nothing to do with the race.
"""

import threading
import time

from django.db import OperationalError, connection

CONNECT_DEADLINE = 60.0


def _connect(deadline: float) -> None:
    pause = 0.05
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as error:
            if "too many clients" not in str(error) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def run_together(jobs, *, timeout: float = 120.0) -> list[BaseException]:
    """Runs each job in its own thread and connection, all released at once; returns errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    deadline = time.monotonic() + CONNECT_DEADLINE

    def run(job):
        try:
            try:
                _connect(deadline)
            except BaseException:
                barrier.abort()
                raise
            barrier.wait(timeout=CONNECT_DEADLINE)
            job()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a job did not finish in time"
    return errors
