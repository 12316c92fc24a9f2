#!/usr/bin/env python3
"""Checks a Potluck group's transparency log, published as JSON at /log.json.

    python3 tools/verify_log.py log.json
    python3 tools/verify_log.py https://example.org/log.json   (where the log is public)

Standard library only, so anyone can read it and run it. Each entry's hash is the SHA-256 of
its canonical JSON: the keys prev, kind, at, title, url, detail, key, actor_ref, member_ref
and confirmed_by_ref (who acted, on whom, who confirmed: account ids or null), sorted, without
spaces, in UTF-8 (non-ASCII characters as they are); prev is the previous entry's hash, and
64 zeros before the first. Exits 0 when the chain holds, 1 naming the first broken entry.
See docs/verify-log.md (this checks the chain's format 2).
"""

import hashlib
import json
import sys
import urllib.request

GENESIS = "0" * 64
FIELDS = (
    "kind",
    "at",
    "title",
    "url",
    "detail",
    "key",
    "actor_ref",
    "member_ref",
    "confirmed_by_ref",
)


def entry_hash(prev: str, entry: dict) -> str:
    content = {"prev": prev, **{name: entry[name] for name in FIELDS}}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(data: dict) -> tuple[bool, str]:
    """(True, the last hash) when the chain holds; (False, what is wrong) otherwise."""
    if data.get("format", 1) != 2:
        return False, f"this script checks the chain's format 2, not {data.get('format', 1)}"
    prev = GENESIS
    for entry in sorted(data["entries"], key=lambda e: e["id"]):
        if entry["prev_hash"] != prev:
            return False, f"entry {entry['id']}: its previous hash is not the entry before's"
        if entry["hash"] != entry_hash(prev, entry):
            return False, f"entry {entry['id']}: its content does not match its hash"
        prev = entry["hash"]
    return True, prev


def load(source: str) -> dict:
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (a URL the reader gives)
            return json.load(response)
    with open(source, encoding="utf-8") as file:
        return json.load(file)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: verify_log.py FILE-OR-URL", file=sys.stderr)
        return 2
    data = load(argv[1])
    ok, message = verify(data)
    if not ok:
        print(f"BROKEN: {message}")
        return 1
    print(f"OK: {len(data['entries'])} entries, the chain holds. Last hash: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
