"""Markdown is rendered to sanitized HTML when it is saved: a column per Markdown field,
filled here for the rows written before (core.markdown.markdown_store keeps it from now on)."""

from django.db import migrations, models

# model → its Markdown fields, as in each model's MARKDOWN_FIELDS when this was written.
MARKDOWN_FIELDS = {
    "Series": ("description",),
    "Speaker": ("bio",),
    "Event": ("description",),
    "Breakout": ("notes",),
}
BATCH = 500


def fill_markdown_html(apps, schema_editor):
    from core.markdown import render_markdown

    for model_name, fields in MARKDOWN_FIELDS.items():
        model = apps.get_model("events", model_name)
        html_fields = [f"{name}_html" for name in fields]
        batch = []
        for row in model.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=BATCH):
            for name in fields:
                setattr(row, f"{name}_html", str(render_markdown(getattr(row, name))))
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.bulk_update(batch, html_fields)
                batch = []
        if batch:
            model.objects.bulk_update(batch, html_fields)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_rsvp_checked_in_only_when_going"),
    ]

    operations = [
        migrations.AddField(
            model_name="breakout",
            name="notes_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="event",
            name="description_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="series",
            name="description_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="speaker",
            name="bio_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_markdown_html, migrations.RunPython.noop),
    ]
