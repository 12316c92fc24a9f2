"""The transparency log becomes a hash chain (groups.logchain): every existing entry is
chained, group by group, in the order it was written; then PostgreSQL's append-only trigger
(0015) is replaced by one that also keeps the hashes and lets only a deleted account's
references (actor, member, confirmed_by) be emptied. Also: acts waiting for a second organizer."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
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

PREVIOUS_TRIGGER = """
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
        AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
        AND (NEW.member_id IS NOT DISTINCT FROM OLD.member_id OR NEW.member_id IS NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the transparency log is append-only: entry % cannot be changed', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
"""


def chain(apps, schema_editor):
    """Each group's entries, in the order written (their ids), chained from GENESIS. The
    0015 trigger compares only the columns it knew, so it lets the new hashes be filled."""
    LogEntry = apps.get_model("groups", "LogEntry")
    db = schema_editor.connection.alias
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
        )
        # The model's queryset refuses updates; the historical model's plain manager does not.
        LogEntry.objects.using(db).filter(pk=entry.pk).update(prev_hash=prev, hash=digest)
        previous[entry.group_id] = digest


def trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def trigger_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0023_log_decision_kinds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PendingAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40, verbose_name='what')),
                ('target', models.PositiveBigIntegerField(verbose_name='target')),
                ('title', models.CharField(max_length=200, verbose_name='about')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='asked at')),
                ('status', models.CharField(choices=[('waiting', 'Waiting for a second organizer'), ('done', 'Confirmed and done')], default='waiting', max_length=10, verbose_name='status')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
            ],
            options={
                'verbose_name': 'action waiting for a second organizer',
                'verbose_name_plural': 'actions waiting for a second organizer',
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='logentry',
            name='groups_logentry_kind_valid',
        ),
        migrations.AddField(
            model_name='logentry',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by'),
        ),
        migrations.AddField(
            model_name='logentry',
            name='hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='hash'),
        ),
        migrations.AddField(
            model_name='logentry',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='previous hash'),
        ),
        migrations.AlterField(
            model_name='logentry',
            name='kind',
            field=models.CharField(choices=[('event_published', 'Event published'), ('event_changed', 'Event changed'), ('event_cancelled', 'Event cancelled'), ('event_unpublished', 'Event returned to draft'), ('role_granted', 'Role granted'), ('role_removed', 'Role removed'), ('member_removed', 'Member removed'), ('member_banned', 'Member banned'), ('poll_opened', 'Poll opened'), ('poll_closed', 'Poll closed'), ('poll_scheduled', 'Date poll turned into an event'), ('outcome_written', 'Outcome written'), ('decision_opened', 'Consent proposal opened'), ('decision_closed', 'Consent proposal closed'), ('proposal_declined', 'Proposal declined'), ('proposal_scheduled', 'Proposal scheduled'), ('setting_changed', 'Setting changed by the members'), ('join_approved', 'Request to join approved'), ('join_declined', 'Request to join declined'), ('poll_cancelled', 'Poll cancelled'), ('content_hidden', 'Post hidden'), ('member_muted', 'Member muted'), ('member_warned', 'Member warned'), ('announcement_sent', 'Announcement sent'), ('attendee_added', 'Attendee added by a host'), ('attendee_moved', 'Attendee moved by a host'), ('capacity_raised', 'Capacity raised by a host'), ('discussion_deleted', 'Discussion deleted')], max_length=30, verbose_name='what happened'),
        ),
        migrations.AddConstraint(
            model_name='logentry',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['event_published', 'event_changed', 'event_cancelled', 'event_unpublished', 'role_granted', 'role_removed', 'member_removed', 'member_banned', 'poll_opened', 'poll_closed', 'poll_scheduled', 'outcome_written', 'decision_opened', 'decision_closed', 'proposal_declined', 'proposal_scheduled', 'setting_changed', 'join_approved', 'join_declined', 'poll_cancelled', 'content_hidden', 'member_muted', 'member_warned', 'announcement_sent', 'attendee_added', 'attendee_moved', 'capacity_raised', 'discussion_deleted'])), name='groups_logentry_kind_valid'),
        ),
        migrations.AddField(
            model_name='pendingaction',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by'),
        ),
        migrations.AddField(
            model_name='pendingaction',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pending_actions', to='groups.group'),
        ),
        migrations.AddField(
            model_name='pendingaction',
            name='requested_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='asked by'),
        ),
        migrations.AddConstraint(
            model_name='pendingaction',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['waiting', 'done'])), name='groups_pendingaction_status_valid'),
        ),
        migrations.RunPython(chain, migrations.RunPython.noop),
        migrations.RunPython(trigger, trigger_back),
    ]
