"""Markdown is rendered and sanitized once, when it is saved; pages show what was stored."""

import importlib
import inspect

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from modeltranslation.fields import TranslationField

from core.markdown import StoredMarkdown, markdown_store, render_markdown
from events.models import Series
from groups.demo import seed_group
from groups.models import Group, Membership
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.groups.admin_form import group_form
from tests.markdown_checks import out_of_step

pytestmark = pytest.mark.django_db

ABOUT = "We talk about **cooperatives**."
ABOUT_HTML = "<p>We talk about <strong>cooperatives</strong>.</p>"
STEP_UP = "Host an *evening*."
STEP_UP_HTML = "<p>Host an <em>evening</em>.</p>"


def _declared() -> list[str]:
    return sorted(
        f"{model._meta.label}.{name}"
        for model in apps.get_models()
        for name in getattr(model, "MARKDOWN_FIELDS", ())
    )


def test_every_declared_markdown_field_has_its_html_column_and_accessor():
    problems = []
    for model in apps.get_models():
        fields = getattr(model, "MARKDOWN_FIELDS", ())
        for name in fields:
            column = {f.name: f for f in model._meta.concrete_fields}.get(f"{name}_html")
            if not isinstance(column, models.TextField):
                problems.append(f"{model._meta.label}.{name}_html is missing")
            elif column.editable or not column.blank:
                problems.append(
                    f"{model._meta.label}.{name}_html is not blank=True, editable=False"
                )
        accessor = inspect.getattr_static(model, "html", None)  # its own, or an abstract base's
        if fields and getattr(accessor, "fget", None) is not StoredMarkdown:
            problems.append(f"{model._meta.label} has no html = property(StoredMarkdown)")
    assert problems == []
    assert _declared() == [
        "conversation.Announcement.body",
        "conversation.Comment.body",
        "conversation.Reply.body",
        "conversation.Thread.body",
        "decisions.Decision.body",
        "decisions.Poll.details",
        "decisions.Proposal.body",
        "events.Breakout.notes",
        "events.Event.description",
        "events.Series.description",
        "events.Speaker.bio",
        "groups.Group.about",
        "groups.Group.step_up",
    ]


def test_every_field_documented_as_markdown_is_declared():
    documented = sorted(
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        # The Spanish and English columns of a translated field (title_es…) are the field's.
        if str(field.help_text).startswith("Markdown") and not isinstance(field, TranslationField)
    )
    assert documented == _declared()


def test_markdown_store_sets_html_and_plain_text_and_names_them(group):
    group.about, group.step_up = ABOUT, STEP_UP
    assert markdown_store(group) == [
        "about_html_en",
        "about_html_es",
        "step_up_html_en",
        "step_up_html_es",
    ]
    assert (group.about_html, group.step_up_html) == (ABOUT_HTML, STEP_UP_HTML)
    event = EventFactory.build(description="A **bold** plan.", description_es="Un plan *audaz*.")
    assert markdown_store(event) == [
        "description_html_en",
        "description_text_en",
        "description_html_es",
        "description_text_es",
    ]
    assert (event.description_html_en, event.description_text_en) == (
        "<p>A <strong>bold</strong> plan.</p>",
        "A bold plan.",
    )
    assert (event.description_html_es, event.description_text_es) == (
        "<p>Un plan <em>audaz</em>.</p>",
        "Un plan audaz.",
    )
    with translation.override("es"):
        assert (event.description, event.html["description"]) == (
            "Un plan *audaz*.",
            "<p>Un plan <em>audaz</em>.</p>",
        )
    # The series, translated since issue 25: a column per language too.
    series = Series(description="*Monthly*.")
    assert markdown_store(series) == ["description_html_en", "description_html_es"]
    assert series.description_html == "<p><em>Monthly</em>.</p>"
    assert markdown_store(Membership()) == []


def test_html_accessor_gives_the_stored_html_as_safe_and_only_for_markdown_fields(group):
    Group.objects.filter(pk=group.pk).update(about_html="<p>as stored</p>")
    group.refresh_from_db()
    shown = group.html["about"]
    assert (shown, isinstance(shown, SafeString)) == ("<p>as stored</p>", True)
    with pytest.raises(KeyError):
        group.html["tagline"]


def test_factory_stores_the_html(group):
    assert (group.about, out_of_step(group)) == (ABOUT, [])
    assert group.about_html == ABOUT_HTML


def _group_form(group, **changes):
    return group_form(group, **{"about_en": group.about, "step_up_en": group.step_up, **changes})


def test_admin_change_stores_the_html(client, group, organizer):
    client.force_login(organizer)
    url = reverse("admin:groups_group_change", args=[group.pk])
    response = client.post(url, _group_form(group, about_en="Now **more**.", step_up_en=STEP_UP))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert out_of_step(group) == []
    assert (group.about_html, group.step_up_html) == (
        "<p>Now <strong>more</strong>.</p>",
        STEP_UP_HTML,
    )


def test_admin_add_stores_the_html(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    new = Group(name="New group", slug="new-group", time_zone="Europe/Berlin")
    response = client.post(
        reverse("admin:groups_group_add"), _group_form(new, about_en=ABOUT, step_up_en=STEP_UP)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [group] = Group.objects.all()
    assert out_of_step(group) == []
    assert (group.about_html, group.step_up_html) == (ABOUT_HTML, STEP_UP_HTML)


def test_demo_group_stores_the_html(db):
    group = seed_group()
    assert out_of_step(group) == []
    assert group.about_html.startswith("<p>We imagine online platforms")
    assert group.step_up_html.startswith("<p>Mike and Austin started this group")


def test_data_migration_fills_rows_written_before():
    migration = importlib.import_module("groups.migrations.0010_markdown_html")
    groups = [GroupFactory(about=ABOUT, step_up=STEP_UP), GroupFactory(about="", step_up="")]
    Group.objects.update(about_html="stale", step_up_html="stale")
    migration.fill_markdown_html(apps, None)
    assert out_of_step(*groups) == []
    assert [(g.about_html, g.step_up_html) for g in groups] == [
        (ABOUT_HTML, STEP_UP_HTML),
        ("", ""),
    ]


def test_one_text_leaves_nothing_for_the_next():
    """The converter is reused (core.markdown._convert): what a text defined (an abbreviation,
    a footnote) is gone when the next one is rendered."""
    first = render_markdown("Co-ops are great.[^1]\n\n*[Co-ops]: Cooperatives\n\n[^1]: Mostly.")
    assert "<abbr" in first and "Mostly." in first
    second = render_markdown("Co-ops again.")
    assert second == "<p>Co-ops again.</p>"
