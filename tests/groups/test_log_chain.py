"""The transparency log's hash chain: every entry carries the previous entry's hash and a hash
of its own content; `manage.py log_verify` names the first entry changed in the database; the
log is published as JSON that tools/verify_log.py (standard library only) checks."""

import hashlib
import importlib.util
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from groups import logchain
from groups.models import LogEntry, LogKind
from groups.services import log_record
from tests import migrating
from tests.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "tools" / "verify_log.py"
AT = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def _script():
    spec = importlib.util.spec_from_file_location("verify_log", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _three(group, organizer):
    return [
        log_record(
            group=group, kind=LogKind.POLL_OPENED, by=organizer, title="Où en juin ?", at=AT
        ),
        log_record(group=group, kind=LogKind.MEMBER_BANNED, by=organizer, at=AT),
        log_record(
            group=group, kind=LogKind.EVENT_CHANGED, by=organizer, title="Tea", detail="title"
        ),
    ]


def _tamper(entry_id: int, title: str) -> None:
    """What someone with the database could do: change an entry with raw SQL (in PostgreSQL,
    past the append-only trigger, as a database superuser can by replica mode)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE groups_logentry SET title = %s WHERE id = %s", [title, entry_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_entry_hash_is_sha256_of_the_canonical_json():
    text = (
        '{"actor_ref":7,"at":"2026-05-04T12:00:00.000000+00:00","confirmed_by_ref":null,'
        '"detail":"","key":"","kind":"poll_opened","member_ref":9,'
        '"prev":"' + "0" * 64 + '","title":"Où en juin ?","url":""}'
    )
    expected = hashlib.sha256(text.encode()).hexdigest()
    got = logchain.entry_hash(
        prev=logchain.GENESIS,
        kind="poll_opened",
        at=AT,
        title="Où en juin ?",
        url="",
        detail="",
        key="",
        actor_ref=7,
        member_ref=9,
    )
    assert got == expected


def test_log_record_chains_each_entry_to_the_previous_one_of_its_group(group, organizer):
    first, second, third = _three(group, organizer)
    elsewhere = log_record(group=GroupFactory(), kind=LogKind.POLL_OPENED, title="Other", at=AT)
    assert first.prev_hash == logchain.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert elsewhere.prev_hash == logchain.GENESIS  # each group's log is its own chain
    assert len({first.hash, second.hash, third.hash}) == 3
    assert first.hash == logchain.entry_hash(
        prev=logchain.GENESIS,
        kind="poll_opened",
        at=AT,
        title="Où en juin ?",
        url="",
        detail="",
        key="",
        actor_ref=organizer.pk,
    )
    stored = LogEntry.objects.get(pk=second.pk)
    assert (stored.prev_hash, stored.hash) == (first.hash, second.hash)


def test_a_keyed_entry_recorded_twice_does_not_advance_the_chain(group, organizer):
    first = log_record(group=group, kind=LogKind.POLL_CLOSED, key="poll-closed:1", at=AT)
    assert log_record(group=group, kind=LogKind.POLL_CLOSED, key="poll-closed:1", at=AT) is None
    after = log_record(group=group, kind=LogKind.POLL_OPENED, title="Next", at=AT)
    assert after.prev_hash == first.hash


def test_log_verify_passes_on_an_untouched_log(group, organizer, capsys):
    _three(group, organizer)
    call_command("log_verify")
    assert f"{group.slug}: 3 entries, the chain holds." in capsys.readouterr().out


def test_log_verify_names_the_first_entry_altered_in_the_database(group, organizer):
    _first, second, _third = _three(group, organizer)
    _tamper(second.pk, "Nothing happened")
    with pytest.raises(CommandError) as failed:
        call_command("log_verify")
    assert str(failed.value) == (
        f"{group.slug}: entry {second.pk} is the first broken one "
        "(content does not match its hash)."
    )


def test_log_verify_exits_non_zero_from_the_command_line(group, organizer):
    first, _second, _third = _three(group, organizer)
    _tamper(first.pk, "Rewritten")
    # call_command raises; manage.py turns CommandError into exit status 1.
    with pytest.raises(CommandError, match=f"entry {first.pk} is the first broken one"):
        call_command("log_verify")


def test_removing_an_entry_breaks_the_chain_at_the_next_one(group, organizer):
    _first, second, third = _three(group, organizer)
    entries = [e for e in LogEntry.objects.filter(group=group).order_by("pk") if e.pk != second.pk]
    broken, why = logchain.chain_first_break(entries)
    assert (broken.pk, why) == (third.pk, "previous hash does not match the entry before")


# --- The published JSON and the verification script --------------------------------------------


def _json(client, member):
    client.force_login(member)
    response = client.get(reverse("decisions:log_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_log_json_lists_every_entry_oldest_first_with_hashes(client, group, organizer, member):
    first, second, third = _three(group, organizer)
    data = _json(client, member)
    assert [e["id"] for e in data["entries"]] == [first.pk, second.pk, third.pk]
    assert data["entries"][1] == {
        "id": second.pk,
        "text": f"{organizer.display_name} banned someone from the group.",
        "by": organizer.display_name,
        "confirmed_by": None,
        "kind": "member_banned",
        "at": "2026-05-04T12:00:00.000000+00:00",
        "title": "",
        "url": "",
        "detail": "",
        "key": "",
        "actor_ref": organizer.pk,
        "member_ref": None,
        "confirmed_by_ref": None,
        "prev_hash": first.hash,
        "hash": second.hash,
    }
    assert (data["genesis"], data["format"]) == (logchain.GENESIS, 2)
    assert data["hashed_fields"] == [
        "prev",
        "kind",
        "at",
        "title",
        "url",
        "detail",
        "key",
        "actor_ref",
        "member_ref",
        "confirmed_by_ref",
    ]


def test_log_json_follows_the_log_page_rules(client, group, organizer):
    _three(group, organizer)
    assert client.get(reverse("decisions:log_json")).status_code == 302  # to sign in
    outsider = GroupFactory()  # someone else's member: not a member here
    stranger = MembershipFactory(group=outsider).user
    client.force_login(stranger)
    assert client.get(reverse("decisions:log_json")).status_code == 403


def test_verify_script_checks_the_served_json_and_fails_after_tampering(
    client, group, organizer, member, tmp_path
):
    _first, second, third = _three(group, organizer)
    path = tmp_path / "log.json"
    path.write_text(json.dumps(_json(client, member)), encoding="utf-8")
    good = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert good.returncode == 0
    assert good.stdout == f"OK: 3 entries, the chain holds. Last hash: {third.hash}\n"

    _tamper(second.pk, "Nothing happened")
    path.write_text(json.dumps(_json(client, member)), encoding="utf-8")
    bad = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert bad.stdout == f"BROKEN: entry {second.pk}: its content does not match its hash\n"


def test_verify_script_catches_an_edited_json_file(client, group, organizer, member):
    _three(group, organizer)
    data = _json(client, member)
    script = _script()
    assert script.verify(data)[0] is True
    data["entries"][0]["detail"] = "edited"
    assert script.verify(data) == (
        False,
        f"entry {data['entries'][0]['id']}: its content does not match its hash",
    )


def test_verify_script_hashes_as_the_server_does():
    script = _script()
    entry = {
        "kind": "poll_opened",
        "at": "2026-05-04T12:00:00.000000+00:00",
        "title": "¿Dónde?",
        "url": "/polls/1/",
        "detail": "",
        "key": "",
        "actor_ref": 3,
        "member_ref": None,
        "confirmed_by_ref": 4,
    }
    assert script.GENESIS == logchain.GENESIS
    assert script.FIELDS == logchain.HASHED_FIELDS
    assert script.entry_hash(logchain.GENESIS, entry) == logchain.entry_hash(
        prev=logchain.GENESIS, **entry
    )


BEFORE = ("groups", "0023_log_decision_kinds")
AFTER = ("groups", "0024_log_chain_and_second_organizer")


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_entries_group_by_group_in_order():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if AFTER not in executor.loader.graph.nodes:
        pytest.skip("migrations are off (--no-migrations)")
    latest = executor.loader.graph.leaf_nodes()
    try:
        old = migrating.back_to(executor, BEFORE).apps
        OldGroup, OldEntry = old.get_model("groups", "Group"), old.get_model("groups", "LogEntry")
        one = OldGroup.objects.create(name="One", slug="one", time_zone="UTC")
        two = OldGroup.objects.create(name="Two", slug="two", time_zone="UTC")
        for group, title in [(one, "a"), (two, "b"), (one, "c")]:
            OldEntry.objects.create(group=group, kind="poll_opened", title=title, at=AT)
        new = migrating.forward_to(executor, [AFTER]).apps
        rows = list(
            new.get_model("groups", "LogEntry")
            .objects.order_by("pk")
            .values_list("group__slug", "title", "prev_hash", "hash")
        )
        a = logchain.entry_hash(
            prev=logchain.GENESIS, kind="poll_opened", at=AT, title="a", url="", detail="", key=""
        )
        b = logchain.entry_hash(
            prev=logchain.GENESIS, kind="poll_opened", at=AT, title="b", url="", detail="", key=""
        )
        c = logchain.entry_hash(
            prev=a, kind="poll_opened", at=AT, title="c", url="", detail="", key=""
        )
        assert rows == [
            ("one", "a", logchain.GENESIS, a),
            ("two", "b", logchain.GENESIS, b),
            ("one", "c", a, c),
        ]
    finally:
        migrating.forward_to(executor, latest)
