from django.db import migrations


class Migration(migrations.Migration):
    """The change counters and the database cache's table belong to core now
    (core/migrations/0001 made core's own and copied the counters)."""

    dependencies = [
        ("groups", "0016_texts_in_spanish"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CacheEntry")],
        ),
        migrations.DeleteModel(name="ChangeGeneration"),
    ]
