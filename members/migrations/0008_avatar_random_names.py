"""Avatars stored before names were random began with the member's secret calendar token
(its first 8 characters): each is copied to a random name and the old file removed."""

import re
import uuid

from django.core.files.storage import default_storage
from django.db import migrations, transaction

RANDOM = re.compile(r"^avatars/[0-9a-f]{32}\.jpg$")


def rename_avatars(apps, schema_editor):
    User = apps.get_model("members", "User")
    storage = default_storage
    for pk, name in User.objects.exclude(avatar="").values_list("pk", "avatar").iterator():
        if RANDOM.match(name):
            continue
        if not storage.exists(name):
            # No file to show (lost, or not restored): the name alone would still carry the
            # token, so it goes.
            User.objects.filter(pk=pk).update(avatar="")
            continue
        with storage.open(name, "rb") as old:
            new = storage.save(f"avatars/{uuid.uuid4().hex}.jpg", old)
        User.objects.filter(pk=pk).update(avatar=new)
        # The old file goes once the new name is committed; a failed migration keeps it.
        transaction.on_commit(lambda name=name: storage.delete(name))


class Migration(migrations.Migration):
    dependencies = [("members", "0007_member_time_zone")]

    operations = [migrations.RunPython(rename_avatars, migrations.RunPython.noop, elidable=True)]
