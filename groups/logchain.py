"""The transparency log's hash chain: each entry's hash covers what it says and the hash of the
entry before it in the same group, so an entry changed or removed afterwards shows.

Pure functions of plain values (no models): the migration that chains the existing entries,
log_record, `manage.py log_verify` and the published JSON use the same ones, and
tools/verify_log.py repeats them with the standard library alone (a test holds them equal).
"""

import hashlib
import json
from datetime import UTC, datetime

# The hash before a group's first entry.
GENESIS = "0" * 64

# What each hash covers, besides the previous hash: everything an entry says that never changes.
# Who acted (and whom it was about) is left out: deleting an account empties those references,
# which the log allows (migration 0015's trigger), so they cannot be part of a hash.
HASHED_FIELDS = ("kind", "at", "title", "url", "detail", "key")


def at_text(at: datetime) -> str:
    """The moment as the hash and the JSON write it: UTC, to the microsecond."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *, prev: str, kind: str, at: datetime | str, title: str, url: str, detail: str, key: str
) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, no spaces, UTF-8)."""
    content = {
        "prev": prev,
        "kind": kind,
        "at": at if isinstance(at, str) else at_text(at),
        "title": title,
        "url": url,
        "detail": detail,
        "key": key,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def chain_first_break(entries) -> tuple[object, str] | None:
    """The first entry (in order) whose previous hash or own hash is wrong, with why; None
    when the chain holds. entries: objects or mappings with id, prev_hash, hash and the
    HASHED_FIELDS, oldest first."""
    prev = GENESIS
    for entry in entries:
        get = entry.get if isinstance(entry, dict) else lambda name, e=entry: getattr(e, name)
        if get("prev_hash") != prev:
            return entry, "previous hash does not match the entry before"
        fields = {name: get(name) for name in HASHED_FIELDS}
        if get("hash") != entry_hash(prev=prev, **fields):
            return entry, "content does not match its hash"
        prev = get("hash")
    return None
