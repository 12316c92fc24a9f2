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

# The chain's format (docs/verify-log.md): 2 since migration 0026 hashed who acted, on whom and
# who confirmed; every entry was chained again then.
CHAIN_FORMAT = 2

# What each hash covers, besides the previous hash: everything an entry says that never changes,
# and who acted, on whom, and who confirmed, as the accounts' ids when the entry was written
# (*_ref). Deleting an account empties the entry's reference (actor, member, confirmed_by: the
# trigger allows only that change) but never its *_ref, so the hash still holds.
HASHED_FIELDS = (
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

# Each reference and the hashed id it must equal, unless emptied by the account's deletion.
REFERENCES = (
    ("actor_id", "actor_ref"),
    ("member_id", "member_ref"),
    ("confirmed_by_id", "confirmed_by_ref"),
)


def at_text(at: datetime) -> str:
    """The moment as the hash and the JSON write it: UTC, to the microsecond."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    prev: str,
    kind: str,
    at: datetime | str,
    title: str,
    url: str,
    detail: str,
    key: str,
    actor_ref: int | None = None,
    member_ref: int | None = None,
    confirmed_by_ref: int | None = None,
) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, no spaces, UTF-8); the references
    are account ids (JSON numbers) or null."""
    content = {
        "prev": prev,
        "kind": kind,
        "at": at if isinstance(at, str) else at_text(at),
        "title": title,
        "url": url,
        "detail": detail,
        "key": key,
        "actor_ref": actor_ref,
        "member_ref": member_ref,
        "confirmed_by_ref": confirmed_by_ref,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def chain_first_break(entries) -> tuple[object, str] | None:
    """The first entry (in order) whose previous hash or own hash is wrong, or whose reference
    to an account (actor_id, member_id, confirmed_by_id, where given) is neither empty nor the
    hashed one, with why; None when the chain holds. entries: objects or mappings with id,
    prev_hash, hash and the HASHED_FIELDS, oldest first."""
    prev = GENESIS
    for entry in entries:
        get = entry.get if isinstance(entry, dict) else lambda name, e=entry: getattr(e, name)
        if get("prev_hash") != prev:
            return entry, "previous hash does not match the entry before"
        fields = {name: get(name) for name in HASHED_FIELDS}
        if get("hash") != entry_hash(prev=prev, **fields):
            return entry, "content does not match its hash"
        for reference, hashed in REFERENCES:
            current = get(reference) if _has(entry, reference) else None
            if current is not None and current != get(hashed):
                return entry, f"{reference.removesuffix('_id')} is not the account hashed"
        prev = get("hash")
    return None


def _has(entry, name: str) -> bool:
    return name in entry if isinstance(entry, dict) else hasattr(entry, name)
