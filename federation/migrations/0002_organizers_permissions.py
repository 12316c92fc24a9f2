"""Organizers turn federation on, block instances, remove followers and retry deliveries."""

from django.db import migrations

MANAGED = ["actor", "blockeddomain", "follower", "delivery"]


def codenames():
    return [f"{a}_{m}" for m in MANAGED for a in ("add", "change", "delete", "view")]


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
        *Permission.objects.filter(content_type__app_label="federation", codename__in=codenames())
    )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="federation"))


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("groups", "0003_organizers_permission_group"),
    ]

    operations = [migrations.RunPython(add, remove)]
