"""Reads that the group's pages share (the home page composes them with events and photos)."""

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname, resolution_order

from .models import Group, ResourceLink, SocialLink


def in_reader_language(name: str) -> Coalesce:
    """A translated text field's column in the reader's language, or the next language's
    where it is empty: modeltranslation's fallback written in SQL, for reads (a UNION) whose
    columns must be the same whatever the language."""
    columns = [
        NullIf(F(build_localized_fieldname(name, code)), Value(""))
        for code in resolution_order(get_language() or "en")
    ]
    return Coalesce(*columns, Value(""), output_field=CharField())


def group_links(group: Group) -> dict:
    """Resource and "find us also at" links in one query (a UNION), in the reader's
    language."""
    # Every column an annotation, in the same order on both sides of the UNION.
    columns = ("shown_text", "shown_url", "shown_note", "shown_order", "shown_pk", "kind")
    resources = (
        ResourceLink.objects.filter(group=group)
        .order_by()
        .annotate(
            shown_text=in_reader_language("title"),
            shown_url=F("url"),
            shown_note=in_reader_language("note"),
            shown_order=F("order"),
            shown_pk=F("pk"),
            kind=Value("resource"),
        )
        .values_list(*columns)
    )
    social = (
        SocialLink.objects.filter(group=group)
        .order_by()
        .annotate(
            shown_text=in_reader_language("label"),
            shown_url=F("url"),
            shown_note=Value(""),
            shown_order=F("order"),
            shown_pk=F("pk"),
            kind=Value("social"),
        )
        .values_list(*columns)
    )
    rows = sorted(resources.union(social, all=True).order_by(), key=lambda row: (row[3], row[4]))
    return {
        "resource_links": [
            {"title": title, "url": url, "note": note}
            for title, url, note, _o, _pk, kind in rows
            if kind == "resource"
        ],
        "social_links": [
            {"label": label, "url": url}
            for label, url, _n, _o, _pk, kind in rows
            if kind == "social"
        ],
    }
