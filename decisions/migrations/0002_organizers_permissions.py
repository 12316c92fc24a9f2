"""Organizers read proposals, polls and the transparency log in the admin (view only: they
decide on the site, and nobody edits the log)."""

from django.db import migrations

VIEW_ONLY = {"decisions": ["proposal", "poll"], "groups": ["logentry"]}


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
        ("decisions", "0001_initial"),
        ("groups", "0015_transparency_log_append_only"),
    ]

    operations = [migrations.RunPython(add, remove)]
