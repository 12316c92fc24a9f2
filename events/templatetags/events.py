import json
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from events import timefmt
from events.adminhome import next_events
from events.seo import absolute

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _reader_zone(context):
    """The zone the reader chose on /me/, or None (the group's alone).

    Emails name their recipient's (core.emails.message.render puts `reader_zone` in
    the context); a page reads the signed-in member already loaded for it (request.user), so
    no query and nothing to keep between tags. A request without a session cookie is
    nobody's: its session is not even looked at.
    """
    if "reader_zone" in context:
        return context["reader_zone"]
    request = context.get("request")
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = getattr(request, "user", None)
    return timefmt.reader_zone(user) if user is not None and user.is_authenticated else None


def _keep_until(context, moment) -> None:
    """A cached page that shows this is kept no longer than moment (request.page_expires,
    read again by home.pagecache when the page is stored)."""
    request = context.get("request")
    if request is None or moment is None or "reader_zone" in context:
        return
    expires = getattr(request, "page_expires", None)
    if expires is None or moment < expires:
        request.page_expires = moment


def _keep_this_year(context, zone) -> None:
    """Dates of this year are written without it: on January 1 they are not this year's."""
    _keep_until(context, timefmt.new_year(zone))


def _reader_html(text: str):
    return format_html('<span class="reader-time">{}{}</span>', timefmt.BESIDE, text)


@register.simple_tag(takes_context=True)
def event_when(context, event):
    """The <time> element used wherever an event's date and time is shown.

    Beside the group's time, the reader's own when they chose a zone whose clock differs.
    On an online or hybrid event, for visitors and members who chose no zone, the element
    carries what static/js/localtime.js needs to add the browser's time (pages are cached and
    shared by every visitor, so only the browser knows where its reader is).
    """
    zone = context["group"].zone
    reader = _reader_zone(context)
    _keep_this_year(context, zone)
    when = timefmt.format_range(event.starts_at, event.ends_at, zone)
    start = event.starts_at.astimezone(zone).isoformat()
    if reader is not None:
        theirs = timefmt.reader_range(event.starts_at, event.ends_at, zone, reader)
        if theirs:
            return format_html('<time datetime="{}">{}{}</time>', start, when, _reader_html(theirs))
    elif event.is_online and "reader_zone" not in context:  # emails run no script
        return format_html(
            '<time datetime="{}" data-ends-at="{}" data-local-time="{}">{}</time>',
            start,
            event.ends_at.astimezone(zone).isoformat(),
            # Translators: added by a script beside an online event's time when the
            # visitor's clock differs from the group's, e.g. "1:00 AM your time".
            pgettext("the visitor's own time", "%(time)s your time"),
            when,
        )
    return format_html('<time datetime="{}">{}</time>', start, when)


@register.simple_tag(takes_context=True)
def event_date_badge(context, event):
    """The day large and the month small, for cards; decorative, the <time> says it in full."""
    local = event.starts_at.astimezone(context["group"].zone)
    return format_html(
        '<span class="date-badge" aria-hidden="true"><span class="day">{}</span>'
        '<span class="month">{}</span></span>',
        local.day,
        timefmt.month_abbr(local),
    )


@register.simple_tag(takes_context=True)
def event_when_text(context, event):
    """The event's date and time as plain text, for plain-text emails."""
    return timefmt.format_range(
        event.starts_at, event.ends_at, context["group"].zone, _reader_zone(context)
    )


@register.filter
def local_year(value, zone):
    return value.astimezone(zone).year


@register.simple_tag
def oembed_url(page_url):
    """The oEmbed address of an event page (events/embed_views.py), for discovery."""
    query = urlencode({"url": page_url, "format": "json"})
    return f"{absolute(reverse('events:oembed'))}?{query}"


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
    """A <time> element for one moment (a poll's closing, a log entry) in the group's zone,
    and in the reader's beside it when theirs differs."""
    zone = context["group"].zone
    reader = _reader_zone(context)
    _keep_this_year(context, zone)
    theirs = timefmt.reader_start(value, zone, reader) if reader is not None else ""
    return format_html(
        '<time datetime="{}">{}{}</time>',
        value.astimezone(zone).isoformat(),
        timefmt.format_start(value, zone),
        _reader_html(theirs) if theirs else "",
    )


@register.simple_tag(takes_context=True)
def moment_text(context, value):
    """One moment as plain text in the group's zone (and the reader's), for emails."""
    return timefmt.format_start(value, context["group"].zone, _reader_zone(context))


@register.simple_tag(takes_context=True)
def activity_time(context, value):
    """When something happened (a comment, a thread, an announcement, a proposal, a vote, a
    photo): "2 h ago", with the absolute time in the title and the datetime attribute.

    Emails give the absolute time (they are read later, in the recipient's zone beside the
    group's). A page that keeps the relative words is kept in the page cache no longer than
    they hold (request.page_expires, read again when the page is stored).
    """
    zone = context["group"].zone
    reader = _reader_zone(context)
    absolute = timefmt.format_start(value, zone, reader)
    if "reader_zone" in context:
        return format_html(
            '<time datetime="{}">{}</time>', value.astimezone(zone).isoformat(), absolute
        )
    now = timezone.now()
    _keep_this_year(context, zone)
    _keep_until(context, timefmt.relative_until(value, reader or zone, now=now))
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(zone).isoformat(),
        absolute,
        timefmt.relative(value, reader or zone, now=now),
    )


@register.simple_tag(takes_context=True)
def admin_next_events(context) -> list:
    """The admin home's next events, with going, seats and waitlist (events/adminhome.py)."""
    return next_events(context["request"])
