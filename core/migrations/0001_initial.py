from django.db import migrations, models


def create_cache_table(apps, schema_editor):
    """The database cache's table, unless groups/0007 made it before core owned it."""
    model = apps.get_model("core", "CacheEntry")
    if model._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(model)


def drop_cache_table(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("core", "CacheEntry"))


def copy_generations(apps, schema_editor):
    """Carries the counters over from groups' table, so no cached body keyed by an earlier
    number can be served again after the move."""
    connection = schema_editor.connection
    if "groups_changegeneration" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value FROM groups_changegeneration")
        rows = cursor.fetchall()
    ChangeGeneration = apps.get_model("core", "ChangeGeneration")
    ChangeGeneration.objects.bulk_create(
        [ChangeGeneration(key=key, value=value) for key, value in rows]
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ChangeGeneration",
            fields=[
                (
                    "key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="key"
                    ),
                ),
                ("value", models.BigIntegerField(default=0, verbose_name="value")),
            ],
            options={
                "verbose_name": "change generation",
                "verbose_name_plural": "change generations",
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CacheEntry",
                    fields=[
                        (
                            "cache_key",
                            models.CharField(max_length=255, primary_key=True, serialize=False),
                        ),
                        ("value", models.TextField()),
                        ("expires", models.DateTimeField(db_index=True)),
                    ],
                    options={
                        "verbose_name": "cache entry",
                        "verbose_name_plural": "cache entries",
                        "db_table": "potluck_cache",
                    },
                ),
            ],
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
        migrations.RunPython(copy_generations, migrations.RunPython.noop),
    ]
