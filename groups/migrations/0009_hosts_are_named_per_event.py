"""The "Event host" membership role granted nothing: hosts are named on each event instead.

Memberships that had it become plain memberships.
"""

from django.db import migrations, models


def hosts_to_members(apps, schema_editor):
    apps.get_model("groups", "Membership").objects.filter(role="host").update(role="member")


class Migration(migrations.Migration):
    dependencies = [("groups", "0008_organizers_read_email_log")]

    operations = [
        migrations.RunPython(hosts_to_members, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[
                    ("organizer", "Organizer"),
                    ("co_organizer", "Co-organizer"),
                    ("member", "Member"),
                ],
                default="member",
                max_length=20,
                verbose_name="role",
            ),
        ),
    ]
