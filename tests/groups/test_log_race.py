"""The log's hash chain under concurrency, on PostgreSQL: writers at once never fork it."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from groups.logchain import GENESIS
from groups.models import LogEntry, LogKind
from groups.services import log_record
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (set DATABASE_URL, as .ci/run does)")


def _write(group, n: int) -> None:
    with transaction.atomic():
        log_record(group=group, kind=LogKind.POLL_OPENED, title=f"Poll {n}")
        # Something else in the same transaction after the entry, as the services do: the
        # next writer must wait for this commit, not only for the insert.
        LogEntry.objects.filter(group=group).count()


def test_thirty_writers_at_once_make_one_chain(group):
    errors = run_together([lambda n=n: _write(group, n) for n in range(30)])
    assert errors == []
    entries = list(LogEntry.objects.filter(group=group).order_by("pk"))
    assert len(entries) == 30
    assert sorted(e.title for e in entries) == sorted(f"Poll {n}" for n in range(30))
    assert [e.prev_hash for e in entries] == [GENESIS] + [e.hash for e in entries[:-1]]
    assert len({e.prev_hash for e in entries}) == 30  # nobody followed the same entry twice
    call_command("log_verify")  # raises CommandError on a broken chain


def test_the_trigger_keeps_the_hashes(group):
    entry = log_record(group=group, kind=LogKind.POLL_OPENED, title="Kept")
    update = "UPDATE groups_logentry SET hash = %s WHERE id = %s"
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(update, ["0" * 64, entry.pk])
