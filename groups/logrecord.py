"""Writing the transparency log: one entry, chained to the group's previous one
(groups.logchain). Re-exported as groups.services.log_record, which every app calls."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .logchain import GENESIS, entry_hash
from .models import Group, LogEntry, LogKind


def log_record(
    *,
    group: Group | int,
    kind: LogKind,
    by=None,
    title: str = "",
    url: str = "",
    detail: str = "",
    member=None,
    key: str = "",
    at=None,
    confirmed_by=None,
) -> LogEntry | None:
    """Adds one entry to the group's transparency log, inside the caller's transaction so it
    is there exactly when what it records is. With a key, only the first call records: later
    ones return None (a poll closes once, whoever notices first).

    Each entry is chained to the group's previous one (groups.logchain), under a lock held
    until the transaction ends, so two writers at once cannot both follow the same entry."""
    group_id = getattr(group, "pk", group)
    with transaction.atomic():
        _lock_log(group_id)
        last = LogEntry.objects.filter(group_id=group_id).order_by("-pk").only("hash").first()
        return _log_append(
            group_id=group_id,
            prev_hash=last.hash if last is not None else GENESIS,
            kind=kind,
            by=by,
            title=title,
            url=url,
            detail=detail,
            member=member,
            key=key,
            at=at,
            confirmed_by=confirmed_by,
        )


def _lock_log(group_id: int) -> None:
    """The group's log is written by one transaction at a time: a PostgreSQL advisory lock
    held to the transaction's end (SQLite writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOG_LOCK_SPACE, group_id])


# The advisory locks' first key for the transparency log ("PL" + "og"); the second is the group.
LOG_LOCK_SPACE = 0x504C6F67


def _log_append(
    *, group_id, prev_hash, kind, by, title, url, detail, member, key, at, confirmed_by
) -> LogEntry | None:
    entry = LogEntry(
        group_id=group_id,
        kind=kind,
        actor=by if getattr(by, "pk", None) else None,
        member=member,
        title=title[:200],
        url=url[:300],
        detail=detail,
        key=key,
        at=at or timezone.now(),
        confirmed_by=confirmed_by if getattr(confirmed_by, "pk", None) else None,
        prev_hash=prev_hash,
    )
    entry.actor_ref = entry.actor_id
    entry.member_ref = entry.member_id
    entry.confirmed_by_ref = entry.confirmed_by_id
    entry.hash = entry_hash(
        prev=prev_hash,
        kind=str(entry.kind),
        at=entry.at,
        title=entry.title,
        url=entry.url,
        detail=entry.detail,
        key=entry.key,
        actor_ref=entry.actor_ref,
        member_ref=entry.member_ref,
        confirmed_by_ref=entry.confirmed_by_ref,
    )
    if not key:
        entry.save()
        return entry
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None
    return entry
