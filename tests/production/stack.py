"""Starts Potluck the way README's "Running it in production" section tells an operator to.

`manage.py migrate`, `manage.py collectstatic --no-input`, `gunicorn config.wsgi --workers 2
--bind …` and `manage.py worker`, each with the production environment
(DJANGO_DEBUG unset). README runs them under `uv run --no-dev`; here they run with the
interpreter of the environment pytest runs in (the same packages plus the dev group), so the
suite never syncs the shared environment. Every process gets its own session so that it and
its children (gunicorn's workers) are stopped together, by that process's id, at teardown.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 60  # seconds for a server to answer /healthz
COMMAND_TIMEOUT = 180  # seconds for one management command
RESULT_MARK = "POTLUCK-RESULT:"
ALLOWED_HOSTS = "potluck.test,127.0.0.2,127.0.0.3,127.0.0.4"

# Variables the suite sets itself; any value the surrounding environment has is dropped.
OWN_PREFIXES = ("DJANGO_", "POTLUCK_")
OWN_NAMES = {"DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS", "DATABASE_CONN_MAX_AGE"}


STATIC_ROOT = Path(tempfile.gettempdir()) / f"potluck-tests-static-{os.getuid()}"


def production_env(
    *, database_url: str, redis_url: str | None, media_root: Path, secret_key: str
) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(OWN_PREFIXES) and name not in OWN_NAMES
    }
    env.update(
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS=ALLOWED_HOSTS,
        DATABASE_URL=database_url,
        POTLUCK_SITE_URL="https://potluck.test",
        POTLUCK_TRUSTED_PROXY_COUNT="1",
        FORWARDED_ALLOW_IPS="127.0.0.1",
        POTLUCK_MEDIA_ROOT=str(media_root),
        # Collected outside the checkout: a staticfiles/ there would make every test client
        # of the rest of the suite scan it (WhiteNoise reads STATIC_ROOT when it starts).
        POTLUCK_STATIC_ROOT=str(STATIC_ROOT),
        POTLUCK_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Server(Process):
    host: str = ""
    port: int = 0

    def __str__(self):
        return f"{self.name} ({self.host}:{self.port})"


@dataclass
class Stack:
    """The processes of one production run; stop() ends every one of them."""

    env: dict[str, str]
    workdir: Path
    processes: list[Process] = field(default_factory=list)

    def manage(self, *args: str, env: dict | None = None, timeout: int = COMMAND_TIMEOUT):
        """`python manage.py …` to completion; fails the test with its output when it fails."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)[:200]} exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def shell(self, code: str, timeout: int = COMMAND_TIMEOUT):
        """Runs code with `manage.py shell -c`; returns what it passed to result(...)."""
        prelude = (
            "import json as _json\n"
            f"def result(value):\n    print({RESULT_MARK!r} + _json.dumps(value), flush=True)\n"
        )
        done = self.manage("shell", "--no-imports", "-c", prelude + code, timeout=timeout)
        for line in done.stdout.splitlines():
            if line.startswith(RESULT_MARK):
                return json.loads(line.removeprefix(RESULT_MARK))
        return None

    def _spawn(
        self, name: str, command: list[str], env: dict[str, str]
    ) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(  # noqa: S603
                command,
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return popen, log

    def start_server(
        self, name: str, host: str, *, env: dict | None = None, workers: int = 2
    ) -> Server:
        port = free_port(host)
        bind = f"{host}:{port}"
        command = [str(BIN / "gunicorn"), "config.wsgi", "--workers", str(workers), "--bind", bind]
        popen, log = self._spawn(name, command, env or self.env)
        server = Server(name, popen, log, host=host, port=port)
        self.processes.append(server)
        return server

    def start(self, name: str, *args: str) -> Process:
        """A long-running `python manage.py …` (the worker, the reminders loop)."""
        popen, log = self._spawn(name, [sys.executable, "manage.py", *args], self.env)
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start_worker(self, name: str = "worker") -> Process:
        """README's worker: django-tasks-db's, kept alive through a database restart."""
        return self.start(name, "worker")

    def stop(self, *processes: Process) -> None:
        """SIGTERM to each process's session at once, then SIGKILL whatever is left after 10 s."""
        running = [p for p in processes if p.popen.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in running:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait(timeout=10)
        for process in processes:
            if process in self.processes:
                self.processes.remove(process)

    def stop_all(self) -> None:
        self.stop(*self.processes)


def raw_get(server: Server, path: str, *, timeout: float = 10) -> tuple[int, bytes]:
    """A GET without proxy headers (what a container health check sends)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": server.host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_answering(server: Server, *, want_status: int | None = 200) -> tuple[int, bytes]:
    """Polls /healthz until it answers (with want_status, when given), within STARTUP_TIMEOUT."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = None
    while time.monotonic() < deadline:
        if server.popen.poll() is not None:
            raise AssertionError(f"{server} exited {server.popen.returncode}:\n{server.log_text()}")
        try:
            status, body = raw_get(server, "/healthz", timeout=5)
        except OSError as error:
            last = error
        else:
            if want_status is None or status == want_status:
                return status, body
            last = (status, body[:200])
        time.sleep(0.2)
    raise AssertionError(
        f"{server} did not answer /healthz with {want_status} within {STARTUP_TIMEOUT}s "
        f"(last: {last}):\n{server.log_text()[-4000:]}"
    )
