"""Reads that the group's pages share (the home page composes them with events and photos)."""

from django.db.models import Value

from .models import Group, ResourceLink, SocialLink


def group_links(group: Group) -> dict:
    """Resource and "find us also at" links in one query (a UNION)."""
    resources = (
        ResourceLink.objects.filter(group=group)
        .order_by()
        .annotate(kind=Value("resource"))
        .values_list("title", "url", "note", "order", "pk", "kind")
    )
    social = (
        SocialLink.objects.filter(group=group)
        .order_by()
        .annotate(blank=Value(""), kind=Value("social"))
        .values_list("label", "url", "blank", "order", "pk", "kind")
    )
    rows = sorted(resources.union(social, all=True), key=lambda row: (row[3], row[4]))
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
