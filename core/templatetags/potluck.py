import zlib

from django import template
from django.core.exceptions import DisallowedHost
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.adminhome import first_steps_left, waiting_lines
from core.languages import language_address, languages, reader_address

register = template.Library()


HUES = 12


@register.filter
def initials(name) -> str:
    """Up to two initials for an avatar without a photo: "Ada Lovelace" → "AL"."""
    words = [word for word in str(name or "").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def hue(value) -> str:
    """One of the stylesheet's twelve hue classes, chosen by a stable hash of the value."""
    return f"hue-{zlib.crc32(str(value or '').encode()) % HUES}"


@register.simple_tag(takes_context=True)
def current(context, *view_names) -> str:
    """aria-current="page" on the navigation link of the page being shown."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in view_names:
        return mark_safe(' aria-current="page"')
    return ""


@register.simple_tag(takes_context=True)
def language_alternates(context) -> str:
    """<link rel="alternate" hreflang> to this page in each language (core/languages.py),
    and x-default to the address that follows the reader's language."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        here = request.build_absolute_uri(request.get_full_path())
    except DisallowedHost:
        return ""  # the 400 page for a request whose Host is not ours
    links = [
        format_html(
            '<link rel="alternate" hreflang="{}" href="{}">', code, language_address(here, code)
        )
        for code in languages()
    ]
    links.append(
        format_html(
            '<link rel="alternate" hreflang="x-default" href="{}">', language_address(here, None)
        )
    )
    return mark_safe("\n  ".join(links))  # noqa: S308 - each link built by format_html


@register.simple_tag(takes_context=True)
def without_language(context) -> str:
    """This page's address without ?lang=, for the language switch to return to."""
    request = context.get("request")
    return language_address(request.get_full_path(), None) if request is not None else "/"


@register.filter
def in_reader_language(url: str) -> str:
    """A feed's address in the reader's language (core/languages.py reader_address)."""
    return reader_address(str(url))


@register.simple_tag(takes_context=True)
def admin_waiting(context) -> list:
    """The admin home's "What needs you" lines (core/adminhome.py)."""
    return waiting_lines(context["request"])


@register.simple_tag(takes_context=True)
def admin_first_steps(context) -> list:
    """A new group's first steps, until every one is done (core/adminhome.py)."""
    return first_steps_left(context["request"])
