"""The transparency log's chain, format 2: each hash also covers who acted, on whom and who
confirmed (the accounts' ids, kept in *_ref columns that an account's deletion does not
empty). Every existing entry is chained again, group by group, in the order written; the
PostgreSQL trigger then keeps the *_ref columns too. docs/verify-log.md says so to members who
kept a hash of the old chain."""

from importlib import import_module

from django.db import migrations, models

from groups.logchain import GENESIS, entry_hash

TRIGGER = """
CREATE OR REPLACE FUNCTION groups_logentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('potluck.deleting_group', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'the transparency log is append-only: entry % cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.id = OLD.id AND NEW.group_id = OLD.group_id AND NEW.kind = OLD.kind
        AND NEW.at = OLD.at AND NEW.title = OLD.title AND NEW.url = OLD.url
        AND NEW.detail = OLD.detail AND NEW."key" = OLD."key"
        AND NEW.hash = OLD.hash AND NEW.prev_hash = OLD.prev_hash
        AND NEW.actor_ref IS NOT DISTINCT FROM OLD.actor_ref
        AND NEW.member_ref IS NOT DISTINCT FROM OLD.member_ref
        AND NEW.confirmed_by_ref IS NOT DISTINCT FROM OLD.confirmed_by_ref
        AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
        AND (NEW.member_id IS NOT DISTINCT FROM OLD.member_id OR NEW.member_id IS NULL)
        AND (NEW.confirmed_by_id IS NOT DISTINCT FROM OLD.confirmed_by_id
             OR NEW.confirmed_by_id IS NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the transparency log is append-only: entry % cannot be changed', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
"""

DISABLE = "ALTER TABLE groups_logentry DISABLE TRIGGER groups_logentry_append_only"
ENABLE = "ALTER TABLE groups_logentry ENABLE TRIGGER groups_logentry_append_only"


def _trigger_exists(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'groups_logentry_append_only'")
        return cursor.fetchone() is not None


def rechain(apps, schema_editor):
    """Fills the *_ref columns from the references (an account already deleted stays null)
    and chains every entry again, in format 2."""
    LogEntry = apps.get_model("groups", "LogEntry")
    db = schema_editor.connection.alias
    postgres = schema_editor.connection.vendor == "postgresql"
    trigger = postgres and _trigger_exists(schema_editor)
    if trigger:  # the migration owns the table: the append-only trigger waits meanwhile
        schema_editor.execute(DISABLE, params=None)
    previous = {}
    for entry in LogEntry.objects.using(db).order_by("group_id", "pk").iterator():
        prev = previous.get(entry.group_id, GENESIS)
        digest = entry_hash(
            prev=prev,
            kind=entry.kind,
            at=entry.at,
            title=entry.title,
            url=entry.url,
            detail=entry.detail,
            key=entry.key,
            actor_ref=entry.actor_id,
            member_ref=entry.member_id,
            confirmed_by_ref=entry.confirmed_by_id,
        )
        # The model's queryset refuses updates; the historical model's plain manager does not.
        LogEntry.objects.using(db).filter(pk=entry.pk).update(
            actor_ref=entry.actor_id,
            member_ref=entry.member_id,
            confirmed_by_ref=entry.confirmed_by_id,
            prev_hash=prev,
            hash=digest,
        )
        previous[entry.group_id] = digest
    if trigger:
        schema_editor.execute(ENABLE, params=None)
    if postgres:
        schema_editor.execute(TRIGGER, params=None)


def trigger_back(apps, schema_editor):
    """Back to 0024's trigger, before the *_ref columns go (the hashes stay format 2)."""
    if schema_editor.connection.vendor == "postgresql":
        previous = import_module("groups.migrations.0024_log_chain_and_second_organizer")
        schema_editor.execute(previous.TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0026_privacy_settings_members_decide"),
    ]

    operations = [
        migrations.AddField(
            model_name="logentry",
            name="actor_ref",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="logentry",
            name="confirmed_by_ref",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="logentry",
            name="member_ref",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(rechain, trigger_back),
    ]
