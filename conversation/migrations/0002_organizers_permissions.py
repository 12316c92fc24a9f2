"""Organizers moderate conversations in the admin: comments, discussions, replies, reports,
mutes, categories and announcements; they read the edit history (view only)."""

from django.db import migrations

MANAGED = ["comment", "thread", "reply", "report", "mute", "category", "announcement"]
VIEW_ONLY = ["revision"]


def codenames():
    return [f"{a}_{m}" for m in MANAGED for a in ("add", "change", "delete", "view")] + [
        f"view_{m}" for m in VIEW_ONLY
    ]


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
        *Permission.objects.filter(content_type__app_label="conversation", codename__in=codenames())
    )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="conversation")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("conversation", "0001_initial"),
        ("groups", "0013_no_show_note"),
    ]

    operations = [migrations.RunPython(add, remove)]
