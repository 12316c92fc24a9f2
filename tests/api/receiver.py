"""A webhook receiver on 127.0.0.31: an http.server that records every POST and answers
with the statuses it is given (the last one from then on). Given the webhook's secret, it
checks each signature with README's recipe first and answers 401 to a wrong one."""

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ADDRESS = "127.0.0.31"
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify():
    """The `verify` function README's "Webhooks" section gives receivers, run as written."""
    section = README.read_text().split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README's snippet, the thing under test
    return namespace["verify"]


@dataclass
class Received:
    at: float
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    statuses: list[int]
    delay: float = 0
    secret: str = ""
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{ADDRESS}:{self.server.server_address[1]}/hook?x=1"

    def __enter__(self):
        receiver = self
        verify = readme_verify()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.secret and not verify(receiver.secret, self.headers, body):
                    receiver.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append(
                    Received(time.monotonic(), self.path, dict(self.headers), body)
                )
                time.sleep(receiver.delay)
                index = min(len(receiver.received), len(receiver.statuses)) - 1
                self.send_response(receiver.statuses[index])
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"x" * 200_000 if receiver.statuses[index] >= 500 else b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((ADDRESS, 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
