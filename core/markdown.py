"""Markdown for organizer-written text: rendered by Python-Markdown, then sanitized by nh3."""

import html
import threading

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

from .languages import languages

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


# One converter per thread and set of extensions, reset before each text: building one (its
# extensions' processors) costs twice the conversion of a short text. Converters keep state
# while they convert, hence one per thread.
_converters = threading.local()


def _convert(text: str, *extensions: str) -> str:
    converter = getattr(_converters, "_".join(extensions), None)
    if converter is None:
        converter = md.Markdown(extensions=list(extensions))
        setattr(_converters, "_".join(extensions), converter)
    return converter.reset().convert(text or "")


def render_markdown(text: str) -> SafeString:
    rendered = _convert(text, "extra", "sane_lists")
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above


def markdown_to_text(text: str) -> str:
    """Plain text of a Markdown field, for feeds and meta descriptions."""
    rendered = _convert(text, "extra")
    return html.unescape(nh3.clean(rendered, tags=set())).strip()


# Markdown is rendered when it is saved, not per request. A model names its Markdown fields in
# MARKDOWN_FIELDS; each has a `<field>_html` column (and may have a `<field>_text` one, the
# plain text for feeds) that markdown_store() fills. Every writer calls it: the services, the
# importer, the admin (StoredMarkdownAdminMixin), the demo and the test factories.


def markdown_store(instance) -> list[str]:
    """Sets the stored HTML (and plain text, where the model keeps it) of every field in the
    instance's MARKDOWN_FIELDS; returns the names set, for save(update_fields=…).

    A field translated with django-modeltranslation (events/translation.py) has a column per
    language: each language's source is rendered into its own columns, read and written by
    their own names (the field's own name reads and writes the reader's language only).
    """
    names = []
    columns = {field.name for field in instance._meta.concrete_fields}
    for name in getattr(instance, "MARKDOWN_FIELDS", ()):
        suffixes = [f"_{code}" for code in languages() if f"{name}_{code}" in columns] or [""]
        for suffix in suffixes:
            source = getattr(instance, f"{name}{suffix}") or ""
            setattr(instance, f"{name}_html{suffix}", str(render_markdown(source)))
            names.append(f"{name}_html{suffix}")
            if f"{name}_text{suffix}" in columns:
                setattr(instance, f"{name}_text{suffix}", markdown_to_text(source))
                names.append(f"{name}_text{suffix}")
    return names


class StoredMarkdown:
    """`obj.html.<field>`, for templates: the HTML stored for one of the model's
    MARKDOWN_FIELDS. A model offers it with `html = property(StoredMarkdown)`."""

    def __init__(self, instance):
        self._instance = instance

    def __getitem__(self, name: str) -> SafeString:
        if name not in getattr(self._instance, "MARKDOWN_FIELDS", ()):
            raise KeyError(name)
        # Sanitized by nh3 (render_markdown) when markdown_store() stored it.
        return mark_safe(getattr(self._instance, f"{name}_html"))  # noqa: S308


class StoredMarkdownAdminMixin:
    """Admin pages store the rendered Markdown of what they save: the object and its inlines."""

    def save_model(self, request, obj, form, change):
        markdown_store(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The forms' instances already hold the posted values (set when the form validated).
        for inline_form in formset.forms:
            if inline_form.has_changed():
                markdown_store(inline_form.instance)
        super().save_formset(request, form, formset, change)
