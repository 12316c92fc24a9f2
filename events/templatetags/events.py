import json

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from events import timefmt

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def event_when(context, event):
    """The <time> element used wherever an event's date and time is shown."""
    zone = context["group"].zone
    return format_html(
        '<time datetime="{}">{}</time>',
        event.starts_at.astimezone(zone).isoformat(),
        timefmt.format_range(event.starts_at, event.ends_at, zone),
    )


@register.simple_tag(takes_context=True)
def event_date_badge(context, event):
    """The day large and the month small, for cards; decorative, the <time> says it in full."""
    local = event.starts_at.astimezone(context["group"].zone)
    return format_html(
        '<span class="date-badge" aria-hidden="true"><span class="day">{}</span>'
        '<span class="month">{}</span></span>',
        local.day,
        date_format(local, "M"),
    )


@register.simple_tag(takes_context=True)
def event_when_text(context, event):
    """The event's date and time as plain text, for plain-text emails."""
    return timefmt.format_range(event.starts_at, event.ends_at, context["group"].zone)


@register.filter
def local_year(value, zone):
    return value.astimezone(zone).year


@register.simple_tag
def json_ld(data):
    """A schema.org data block; not executed, so the CSP does not apply to it."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # noqa: S308 - <, > and & are escaped above
    )


@register.simple_tag(takes_context=True)
def moment(context, value):
    """A <time> element for one moment (a poll's closing, a log entry) in the group's zone."""
    zone = context["group"].zone
    return format_html(
        '<time datetime="{}">{}</time>',
        value.astimezone(zone).isoformat(),
        timefmt.format_start(value, zone),
    )


@register.simple_tag(takes_context=True)
def moment_text(context, value):
    """One moment as plain text in the group's zone, for plain-text emails."""
    return timefmt.format_start(value, context["group"].zone)
