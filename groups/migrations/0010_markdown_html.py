"""Markdown is rendered to sanitized HTML when it is saved: a column per Markdown field,
filled here for the rows written before (core.markdown.markdown_store keeps it from now on)."""

from django.db import migrations, models

# Group's Markdown fields, as in its MARKDOWN_FIELDS when this was written.
MARKDOWN_FIELDS = ("about", "step_up")


def fill_markdown_html(apps, schema_editor):
    from core.markdown import render_markdown

    Group = apps.get_model("groups", "Group")
    html_fields = [f"{name}_html" for name in MARKDOWN_FIELDS]
    groups = list(Group.objects.only("pk", *MARKDOWN_FIELDS).order_by("pk"))
    for group in groups:
        for name in MARKDOWN_FIELDS:
            setattr(group, f"{name}_html", str(render_markdown(getattr(group, name))))
    Group.objects.bulk_update(groups, html_fields, batch_size=100)


class Migration(migrations.Migration):
    dependencies = [("groups", "0009_hosts_are_named_per_event")]

    operations = [
        migrations.AddField(
            model_name="group",
            name="about_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="group",
            name="step_up_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_markdown_html, migrations.RunPython.noop),
    ]
