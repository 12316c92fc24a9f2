"""The public listings' order, (starts_at, pk) among published and cancelled events, read from
an index: a page and the past page's count without sorting the rows before the page."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0016_email_log_moves_to_core"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("status__in", ["published", "cancelled"])),
                fields=["starts_at", "id", "ends_at"],
                name="events_event_public_order_idx",
            ),
        ),
    ]
