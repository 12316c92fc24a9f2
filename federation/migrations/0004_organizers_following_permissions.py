"""Organizers follow other fediverse actors and stop following them (admin → Following)."""

from django.db import migrations

CODENAMES = [f"{a}_following" for a in ("add", "change", "delete", "view")]


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
        *Permission.objects.filter(content_type__app_label="federation", codename__in=CODENAMES)
    )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    following = Permission.objects.filter(
        content_type__app_label="federation", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(*following)


class Migration(migrations.Migration):
    dependencies = [("federation", "0003_following")]

    operations = [migrations.RunPython(add, remove)]
