"""A settings poll's proposed value becomes text: "on" / "off" for a switch (as the log's
detail already wrote it), an audience for "who sees attendee lists" (groups 0025)."""

from django.db import migrations, models


def to_text(apps, schema_editor):
    SettingPoll = apps.get_model("decisions", "SettingPoll")
    SettingPoll.objects.filter(value=True).update(value_text="on")
    SettingPoll.objects.filter(value=False).update(value_text="off")


def to_bool(apps, schema_editor):
    SettingPoll = apps.get_model("decisions", "SettingPoll")
    SettingPoll.objects.filter(value_text="on").update(value=True)
    SettingPoll.objects.exclude(value_text="on").update(value=False)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0007_methods_outcomes_consent"),
        ("groups", "0026_privacy_settings_members_decide"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="settingpoll",
            name="decisions_settingpoll_setting_valid",
        ),
        migrations.AddField(
            model_name="settingpoll",
            name="value_text",
            field=models.CharField(max_length=20, default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="settingpoll",
            name="value",
            field=models.BooleanField(null=True, verbose_name="proposed value"),
        ),
        migrations.RunPython(to_text, to_bool),
        migrations.RemoveField(model_name="settingpoll", name="value"),
        migrations.RenameField(model_name="settingpoll", old_name="value_text", new_name="value"),
        migrations.AlterField(
            model_name="settingpoll",
            name="value",
            field=models.CharField(max_length=20, verbose_name="proposed value"),
        ),
        migrations.AddConstraint(
            model_name="settingpoll",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "setting__in",
                        (
                            "join_needs_approval",
                            "members_open_polls",
                            "attendee_lists",
                            "comments_may_be_public",
                            "members_decide_settings",
                        ),
                    )
                ),
                name="decisions_settingpoll_setting_valid",
            ),
        ),
    ]
