"""Markdown for organizer-written text: rendered by Python-Markdown, then sanitized by nh3."""

import html

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "strong", "ul", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    rendered = md.markdown(text or "", extensions=["extra", "sane_lists"])
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
    rendered = md.markdown(text or "", extensions=["extra"])
    return html.unescape(nh3.clean(rendered, tags=set())).strip()
