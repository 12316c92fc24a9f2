"""Organizers read consent proposals and their positions, elections and their candidates, and
settings polls in the admin (view only: they act on the site, where it is logged)."""

from django.db import migrations

VIEW_ONLY = {"decisions": ["decision", "position", "election", "candidate", "settingpoll"]}


def add(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organizers")
    for app_label, models in VIEW_ONLY.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=[f"view_{m}" for m in models]
            )
        )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organizers"):
        for app_label, models in VIEW_ONLY.items():
            group.permissions.remove(
                *group.permissions.filter(
                    content_type__app_label=app_label, codename__in=[f"view_{m}" for m in models]
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0008_setting_poll_values"),
    ]

    operations = [migrations.RunPython(add, remove)]
