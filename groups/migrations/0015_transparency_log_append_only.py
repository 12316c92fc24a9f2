"""The transparency log only grows, in PostgreSQL itself: a trigger refuses any DELETE (but the
whole group's, which groups.services.group_delete announces with a transaction-local setting)
and any UPDATE but emptying the reference to a deleted account. SQLite, the embedded default for
trying Potluck, relies on the model, its queryset and the admin refusing the same."""

from django.db import migrations

CREATE = """
CREATE FUNCTION groups_logentry_append_only() RETURNS trigger AS $$
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
        AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
        AND (NEW.member_id IS NOT DISTINCT FROM OLD.member_id OR NEW.member_id IS NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the transparency log is append-only: entry % cannot be changed', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER groups_logentry_append_only BEFORE UPDATE OR DELETE ON groups_logentry
    FOR EACH ROW EXECUTE FUNCTION groups_logentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS groups_logentry_append_only ON groups_logentry;
DROP FUNCTION IF EXISTS groups_logentry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("groups", "0014_transparency_log")]

    operations = [migrations.RunPython(create, drop)]
