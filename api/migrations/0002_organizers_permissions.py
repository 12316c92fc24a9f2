"""Organizers register webhooks and read their deliveries in the admin."""

from django.db import migrations

MANAGED = ["webhook"]
VIEW_ONLY = ["webhookdelivery"]


def _codenames() -> list[str]:
    return [
        *(f"{action}_{model}" for model in MANAGED for action in ("add", "change", "delete", "view")),
        *(f"view_{model}" for model in VIEW_ONLY),
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
        *Permission.objects.filter(content_type__app_label="api", codename__in=_codenames())
    )


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="api", codename__in=_codenames())
        )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("groups", "0024_log_chain_and_second_organizer"),
    ]

    operations = [migrations.RunPython(add, remove)]
