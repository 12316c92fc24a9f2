import zlib

from django import template
from django.utils.safestring import mark_safe

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


@register.simple_tag
def join_requests_waiting() -> int:
    """How many requests to join wait for an organizer (the admin's index says so)."""
    from groups.models import Group, Membership

    group = Group.objects.current()
    return Membership.objects.pending().filter(group=group).count() if group else 0
