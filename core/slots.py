"""At most N of one kind of heavy work at once on a machine, across every process: a lock file
per slot in the temp folder (flock, released by the kernel if a process dies)."""

import contextlib
import fcntl
import os
import tempfile
import time
from pathlib import Path


class Busy(Exception):
    """No slot freed up within the wait."""


def count_from(variable: str) -> int:
    """The slots an environment variable asks for; by default half the CPUs, at least 1."""
    value = os.environ.get(variable, "").strip()
    return max(1, int(value)) if value else max(1, (os.cpu_count() or 2) // 2)


@contextlib.contextmanager
def machine_slot(kind: str, count: int, *, wait: float):
    """Holds one of the machine's `count` slots of `kind`, or raises Busy after `wait` s."""
    folder = Path(tempfile.gettempdir()) / f"potluck-{kind}-slots"
    folder.mkdir(exist_ok=True)
    deadline = time.monotonic() + wait
    files = [open(folder / f"{i}.lock", "a+b") for i in range(count)]  # noqa: SIM115
    held = None
    try:
        while held is None:
            for handle in files:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                held = handle
                break
            else:
                if time.monotonic() > deadline:
                    raise Busy(kind)
                time.sleep(0.02)
        yield
    finally:
        if held is not None:
            fcntl.flock(held, fcntl.LOCK_UN)
        for handle in files:
            handle.close()
