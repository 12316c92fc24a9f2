"""The group's next events for other sites: the framable list (/embed/events/) and oEmbed.

An embed page is the only page a browser may show inside another site's frame, and only on
the origins the organizers listed (Group.embed_origins): it sends its own CSP
frame-ancestors and no X-Frame-Options; every other page keeps refusing frames (settings:
frame-ancestors 'none', X_FRAME_OPTIONS = "DENY"). It sets no cookie (no session, no CSRF
token, no language cookie: it reads none of them), needs no script, and speaks ?lang= or the
group's language, never the visitor's browser or cookie: it is the same for everyone.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from core.languages import address_language, language_address
from groups.middleware import group_or_404

from . import timefmt
from .ical import location_text
from .models import Event, by_slug
from .seo import absolute

DEFAULT_COUNT = 5
MAX_COUNT = 20
THEMES = ("light", "dark")
# What an oEmbed consumer is told to reserve for the one-event frame.
OEMBED_WIDTH = 480
OEMBED_HEIGHT = 160


def _count(request) -> int:
    """?n= between 1 and MAX_COUNT; anything else is the default."""
    try:
        n = int(request.GET.get("n", DEFAULT_COUNT))
    except ValueError:
        return DEFAULT_COUNT
    return min(max(n, 1), MAX_COUNT)


def _rows(events, zone) -> list[dict]:
    """What a row shows: the title, the house's one way of writing the time, the place
    (the exact address only where everyone may read it)."""
    return [
        {
            "event": event,
            "url": absolute(event.get_absolute_url()),
            "when": timefmt.format_range(event.starts_at, event.ends_at, zone),
            "starts": event.starts_at.astimezone(zone).isoformat(),
            "place": location_text(event, private=False),
        }
        for event in events
    ]


def frame_policy(group) -> dict:
    """The site's CSP with frame-ancestors opened to the listed origins ('none' without)."""
    origins = group.embed_origin_list if group is not None else []
    return {**settings.SECURE_CSP, "frame-ancestors": origins or [CSP.NONE]}


def _embed_response(request, group, *, events, title: str, more_url: str) -> HttpResponse:
    language = address_language(request) or settings.LANGUAGE_CODE
    theme = request.GET.get("theme", "")
    with translation.override(language):
        context = {
            "group": group,
            "rows": _rows(events, group.zone),
            "title": title,
            "theme": theme if theme in THEMES else "",
            "language": language,
            "more_url": absolute(language_address(more_url, address_language(request))),
        }
        body = render_to_string("events/embed.html", context)
    response = HttpResponse(body)
    response["Content-Language"] = language
    patch_cache_control(response, public=True, max_age=300)
    # Django's csp_override, with the policy of this group (known only now).
    return csp_override(frame_policy(group))(lambda _request: response)(request)


@require_safe
@xframe_options_exempt
def embed_events(request):
    """The next events (?n=, 5 by default, at most 20), soonest first."""
    group = group_or_404(request)
    events = Event.objects.published().filter(group=group).upcoming(timezone.now())
    events = list(events.select_related("venue")[: _count(request)])
    return _embed_response(
        request, group, events=events, title="", more_url=reverse("events:upcoming")
    )


@require_safe
@xframe_options_exempt
def embed_event(request, slug):
    """One published event, as oEmbed's frame shows it."""
    group = group_or_404(request)
    event = get_object_or_404(
        by_slug(Event.objects.published().filter(group=group).select_related("venue"), slug)
    )
    return _embed_response(
        request, group, events=[event], title=event.title, more_url=event.get_absolute_url()
    )


def public_event_for(url: str, group) -> Event | None:
    """The published event whose page this absolute address is (this site's), or None."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if (parts.scheme, parts.netloc.lower()) != (site.scheme, site.netloc.lower()):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name != "events:detail":
        return None
    events = Event.objects.published().filter(group=group).select_related("venue")
    return by_slug(events, match.kwargs["slug"]).first()


@require_safe
def oembed(request):
    """oEmbed (https://oembed.com) for event pages: a "rich" answer whose html is the frame
    of the event's embed. JSON only (501 for XML, as the specification says for a format
    the provider does not serve); 404 for what is not a public event page of this site."""
    group = group_or_404(request)
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)
    event = public_event_for(request.GET.get("url", ""), group)
    if event is None:
        raise Http404
    source = absolute(reverse("events:embed_event", args=[event.slug]))
    width = _bounded(request, "maxwidth", OEMBED_WIDTH)
    height = _bounded(request, "maxheight", OEMBED_HEIGHT)
    html = render_to_string(
        "events/includes/embed_iframe.html",
        {"src": source, "title": event.title, "width": width, "height": height},
    ).strip()
    data = {
        "version": "1.0",
        "type": "rich",
        "title": event.title,
        "provider_name": group.name,
        "provider_url": absolute("/"),
        "html": html,
        "width": width,
        "height": height,
        "cache_age": 300,
    }
    response = JsonResponse(data)
    patch_cache_control(response, public=True, max_age=300)
    return response


def _bounded(request, name: str, default: int) -> int:
    """oEmbed's maxwidth / maxheight: the answer never exceeds what the consumer allows."""
    try:
        limit = int(request.GET.get(name, default))
    except ValueError:
        return default
    return max(1, min(default, limit))
