"""The chain's format 2 (groups.logchain): each hash covers who acted, on whom and who
confirmed. Changing any of them in the database is caught by `manage.py log_verify`, and by
tools/verify_log.py on the published JSON; deleting an account (which empties the
references) is not a break."""

import importlib.util
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from groups import logchain
from groups.models import LogEntry, LogKind, Role
from groups.services import log_record
from members.services import member_delete
from tests import migrating
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parent.parent.parent / "tools" / "verify_log.py"


def _raw(sql: str, params: list) -> None:
    """What someone with the database could do, past the append-only trigger in PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def entries(group, organizer):
    second = MembershipFactory(group=group, role=Role.CO_ORGANIZER).user
    ana = MembershipFactory(group=group, user__display_name="Ana").user
    return [
        log_record(group=group, kind=LogKind.ROLE_GRANTED, by=organizer, member=ana),
        log_record(group=group, kind=LogKind.MEMBER_BANNED, by=organizer, confirmed_by=second),
        log_record(group=group, kind=LogKind.POLL_OPENED, by=ana, title="Where in June?"),
    ]


def test_the_hash_covers_who_acted_on_whom_and_who_confirmed(entries, organizer):
    granted, banned, _opened = entries
    assert (granted.actor_ref, granted.member_ref) == (organizer.pk, granted.member_id)
    assert banned.confirmed_by_ref == banned.confirmed_by_id
    fields = {name: getattr(banned, name) for name in logchain.HASHED_FIELDS}
    assert banned.hash == logchain.entry_hash(prev=granted.hash, **fields)
    assert banned.hash != logchain.entry_hash(
        prev=granted.hash, **{**fields, "actor_ref": organizer.pk + 1}
    )
    call_command("log_verify")


@pytest.mark.parametrize("column", ["actor_id", "member_id", "confirmed_by_id"])
def test_log_verify_fails_when_a_person_is_changed_in_the_database(group, entries, column):
    someone_else = UserFactory()
    entry = next(e for e in entries if getattr(e, column) is not None)
    _raw(f"UPDATE groups_logentry SET {column} = %s WHERE id = %s", [someone_else.pk, entry.pk])  # noqa: S608 - a column of the test's own list
    field = column.removesuffix("_id")
    with pytest.raises(CommandError) as failed:
        call_command("log_verify")
    assert str(failed.value) == (
        f"{group.slug}: entry {entry.pk} is the first broken one "
        f"({field} is not the account hashed)."
    )


def test_log_verify_fails_when_the_hashed_person_is_changed_too(group, entries):
    _granted, banned, _opened = entries
    other = UserFactory()
    _raw(
        "UPDATE groups_logentry SET actor_id = %s, actor_ref = %s WHERE id = %s",
        [other.pk, other.pk, banned.pk],
    )
    with pytest.raises(CommandError, match=rf"entry {banned.pk} .*content does not match"):
        call_command("log_verify")


def test_log_verify_fails_when_a_name_is_emptied_but_the_account_exists(group, entries):
    granted = entries[0]
    _raw("UPDATE groups_logentry SET actor_id = NULL WHERE id = %s", [granted.pk])
    with pytest.raises(CommandError) as failed:
        call_command("log_verify")
    assert str(failed.value) == (
        f"{group.slug}: entry {granted.pk} is the first broken one "
        "(actor was emptied, yet the account exists)."
    )


def test_deleting_an_account_keeps_the_chain_whole(group, entries, capsys):
    ana = entries[0].member
    ana_id = ana.pk
    member_delete(member=ana)
    granted = LogEntry.objects.get(pk=entries[0].pk)
    assert (granted.member_id, granted.member_ref) == (None, ana_id)
    call_command("log_verify")
    assert f"{group.slug}: 3 entries, the chain holds." in capsys.readouterr().out


def test_the_verify_script_catches_a_person_changed_in_the_json(client, entries, member):
    spec = importlib.util.spec_from_file_location("verify_log", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    client.force_login(member)
    data = client.get(reverse("decisions:log_json")).json()
    assert script.verify(data) == (True, entries[-1].hash)
    data["entries"][1]["confirmed_by_ref"] = data["entries"][1]["actor_ref"]
    assert script.verify(data) == (
        False,
        f"entry {entries[1].pk}: its content does not match its hash",
    )
    data["format"] = 1
    assert script.verify(data)[0] is False


BEFORE = ("groups", "0026_privacy_settings_members_decide")
AFTER = ("groups", "0027_log_chain_hashes_who")


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_entries_again_with_the_people():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if AFTER not in executor.loader.graph.nodes:
        pytest.skip("migrations are off (--no-migrations)")
    latest = executor.loader.graph.leaf_nodes()
    try:
        old = migrating.back_to(executor, BEFORE).apps
        OldGroup, OldEntry = old.get_model("groups", "Group"), old.get_model("groups", "LogEntry")
        one = OldGroup.objects.create(name="One", slug="one", time_zone="UTC")
        ada = UserFactory(display_name="Ada")  # the accounts' table as it is now
        first = OldEntry.objects.create(
            group=one, kind="role_granted", actor_id=ada.pk, member_id=ada.pk
        )
        second = OldEntry.objects.create(group=one, kind="poll_opened", title="b")
        new = migrating.forward_to(executor, [AFTER]).apps
        rows = list(new.get_model("groups", "LogEntry").objects.order_by("pk"))
        assert [(r.pk, r.actor_ref, r.member_ref, r.confirmed_by_ref) for r in rows] == [
            (first.pk, ada.pk, ada.pk, None),
            (second.pk, None, None, None),
        ]
        assert rows[1].prev_hash == rows[0].hash
        assert logchain.chain_first_break(rows) is None
    finally:
        migrating.forward_to(executor, latest)
