"""The "Organizers" permission group: exactly what organizers (staff, not superusers) need."""

from django.db import migrations

ORGANIZERS = "Organizers"

# app label -> models whose add/change/delete/view permissions organizers hold
MANAGED = {
    "groups": ["group", "resourcelink", "sociallink", "membership"],
    "events": [
        "event",
        "venue",
        "speaker",
        "speakerlink",
        "series",
        "eventspeaker",
        "agendaitem",
        "breakout",
        "rsvp",
    ],
}
# Organizers look members up (autocomplete for hosts and facilitators) but do not edit accounts.
VIEW_ONLY = {"members": ["user"]}


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ORGANIZERS)
    wanted = []
    for app_label, models in MANAGED.items():
        for model in models:
            for action in ("add", "change", "delete", "view"):
                wanted.append((app_label, f"{action}_{model}"))
    for app_label, models in VIEW_ONLY.items():
        for model in models:
            wanted.append((app_label, f"view_{model}"))
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ORGANIZERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("groups", "0002_initial"),
        ("events", "0002_initial"),
        ("members", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
