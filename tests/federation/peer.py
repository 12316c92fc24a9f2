"""A small fediverse account of our own on loopback: an http.server thread that holds an RSA
key, serves its actor document (with a shared inbox) and its WebFinger, and records every POST
to its inbox, checking each one's signature with federation.signatures against Potluck's
published key."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from federation import signatures


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def activity(self) -> dict:
        return json.loads(self.body)


@dataclass
class PeerActor:
    host: str
    port: int = 0
    username: str = "alice"
    private_key_pem: str = ""
    public_key_pem: str = ""
    received: list[Received] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)
    answer_status: int = 202
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def id(self) -> str:
        return f"{self.base}/users/{self.username}"

    @property
    def key_id(self) -> str:
        return self.id + "#main-key"

    @property
    def inbox(self) -> str:
        return self.id + "/inbox"

    @property
    def shared_inbox(self) -> str:
        return self.base + "/inbox"

    def document(self) -> dict:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.username,
            "inbox": self.inbox,
            "outbox": self.id + "/outbox",
            "endpoints": {"sharedInbox": self.shared_inbox},
            "publicKey": {"id": self.key_id, "owner": self.id, "publicKeyPem": self.public_key_pem},
        }

    def signed_post(self, url: str, activity: dict, *, key_pem: str | None = None):
        """(body, headers) of a POST signed by this actor (or by another key, to forge)."""
        body = json.dumps(activity).encode()
        headers = signatures.sign(
            method="POST",
            url=url,
            body=body,
            key_id=self.key_id,
            private_key_pem=key_pem or self.private_key_pem,
        )
        headers["Content-Type"] = "application/activity+json"
        return body, headers

    def follow(self, target: str) -> dict:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.id}#follows/1",
            "type": "Follow",
            "actor": self.id,
            "object": target,
        }

    def start(self) -> "PeerActor":
        self.private_key_pem, self.public_key_pem = signatures.key_pair()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                peer.gets.append(self.path)
                path = self.path.split("?")[0]
                if path in (f"/users/{peer.username}", "/.well-known/webfinger"):
                    document = peer.document() if path != "/.well-known/webfinger" else {
                        "subject": f"acct:{peer.username}@{peer.host}:{peer.port}",
                        "links": [
                            {"rel": "self", "type": "application/activity+json", "href": peer.id}
                        ],
                    }  # fmt: skip
                    payload = json.dumps(document).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/activity+json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                else:
                    self.send_error(404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                peer.received.append(Received(path=self.path, headers=headers, body=body))
                self.send_response(peer.answer_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
