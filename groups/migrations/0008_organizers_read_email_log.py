"""Organizers read the log of emails sent (view only)."""

from django.db import migrations


def add(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organizers")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="events", codename="view_emaillog")
    )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(*group.permissions.filter(codename="view_emaillog"))


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0007_change_generation_and_cache_table"),
        ("events", "0006_notifications"),
    ]

    operations = [migrations.RunPython(add, remove)]
