"""Organizers also manage albums and photos (moderation)."""

from django.db import migrations

PHOTO_MODELS = ["album", "photo"]


def add_photo_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organizers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="photos",
            codename__in=[
                f"{action}_{model}"
                for model in PHOTO_MODELS
                for action in ("add", "change", "delete", "view")
            ],
        )
    )


def remove_photo_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="photos")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0004_group_uploads_need_approval"),
        ("photos", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_photo_permissions, remove_photo_permissions)]
