"""A PostgreSQL and a Redis of the test's own, on free ports, to stop and start on purpose.

The machine's shared servers (127.0.0.1:5432 and :6379) are never stopped: a fault drill
makes its own cluster with initdb (run as the `postgres` user, which PostgreSQL requires when
the tests run as root) and its own redis-server with an append-only file in a temporary
folder, and removes both at the end.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .stack import free_port

HOST = "127.0.0.1"
START_TIMEOUT = 30


def _pg_bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} (PostgreSQL's server programs) is not installed")
    return found


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's server refuses to run as root: run it as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivatePostgres:
    folder: Path
    port: int

    @classmethod
    def create(cls) -> "PrivatePostgres":
        # Its own folder outside pytest's (which only root may enter), owned by postgres.
        folder = Path(tempfile.mkdtemp(prefix="potluck-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        subprocess.run(  # noqa: S603
            _as_postgres([_pg_bin("initdb"), "-D", str(folder), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        server = cls(folder, free_port(HOST))
        server.start()
        return server

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/potluck"

    def _ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.folder), *args]),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses={HOST}"
        self._ctl("-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart or an upgrade does: every connection is cut."""
        self._ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class PrivateRedis:
    folder: Path
    port: int
    process: subprocess.Popen | None = None

    @classmethod
    def create(cls, parent: Path) -> "PrivateRedis":
        folder = parent / "redis"
        folder.mkdir()
        server = cls(folder, free_port(HOST))
        server.start()
        return server

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        """With the append-only file, as deploy/ runs it: counters outlive a restart."""
        settings = {
            "port": str(self.port),
            "bind": HOST,
            "dir": str(self.folder),
            "save": "",
            "appendonly": "yes",
            "appendfsync": "always",
        }
        command = [shutil.which("redis-server") or "redis-server"]
        for name, value in settings.items():
            command += [f"--{name}", value]
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.cli("ping").strip() == "PONG":
                return
            time.sleep(0.1)
        raise AssertionError(f"redis-server on port {self.port} did not start")

    def cli(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [shutil.which("redis-cli") or "redis-cli", "-h", HOST, "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return done.stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def remove(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)
