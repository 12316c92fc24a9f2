"""Organizers read the email log where it lives now, core's outbox (view only), instead of
the events app's old table."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organizers")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="core", codename="view_email")
    )
    group.permissions.remove(
        *Permission.objects.filter(content_type__app_label="events", codename="view_emaillog")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Organizers"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="core", codename="view_email")
        )
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="events", codename="view_emaillog")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0017_infrastructure_moves_to_core"),
        ("core", "0002_email_outbox"),
        ("events", "0016_email_log_moves_to_core"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
