"""The iCalendar feeds and the page that explains how to subscribe.

The feeds never touch the session or the logged-in user: calendar clients send no cookies, and
a response that set one would not be cacheable. How they are cached, and why a conditional
request needs no body: calendar_cache.py.
"""

from functools import wraps
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import compression
from core.languages import address_language, language_address, reader_address
from groups.middleware import group_or_404

from . import ical
from .calendar_cache import IDENTITY, WINDOW, FeedVersion, feed_body, feed_length, feed_version
from .models import RSVP, Event, RSVPStatus, Series, by_slug
from .seo import absolute

CONTENT_TYPE = "text/calendar; charset=utf-8"


def in_feed_language(view):
    """Feeds carry the group's main language (LANGUAGE_CODE) whatever the calendar client's
    Accept-Language says, one body and one ETag per feed for every subscriber; the same
    address with ?lang=es is the feed in Spanish (core/languages.py)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(address_language(request) or settings.LANGUAGE_CODE):
            return view(request, *args, **kwargs)

    return wrapper


def in_feed_window(now):
    """Published events that are upcoming, or past but started in the last twelve months."""
    return Event.objects.published().upcoming_or_recent(now, recent=WINDOW)


def _respond(request, version: FeedVersion, build, *, filename: str, private: bool):
    """200 or 304 for GET and HEAD, in the coding the client accepts (feeds hold no secret)."""
    # HTTP dates have whole seconds; compare in whole seconds too.
    modified = version.last_modified
    last_modified = int(modified.timestamp()) if modified else None
    response = get_conditional_response(request, etag=version.etag, last_modified=last_modified)
    if response is None:
        coding = compression.negotiate(request) or IDENTITY
        if request.method == "HEAD":
            response = HttpResponse(content_type=CONTENT_TYPE)
            response["Content-Length"] = str(feed_length(version, coding, build))
        else:
            response = HttpResponse(feed_body(version, coding, build), content_type=CONTENT_TYPE)
        if coding != IDENTITY:
            response["Content-Encoding"] = coding  # so the compression middleware passes it by
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = version.etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ("Accept-Encoding",))
    if private:
        patch_cache_control(response, private=True, max_age=300)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
@in_feed_language
def group_feed(request):
    """Upcoming events and the last twelve months: what calendar apps need day to day."""
    group = group_or_404(request)
    now = timezone.now()

    def build():
        events = ical.feed_events(in_feed_window(now).filter(group=group))
        return ical.build_calendar(
            events, group=group, name=group.name, description=group.tagline or group.name
        )

    version = feed_version("group", window_since=now - WINDOW)
    return _respond(request, version, build, filename="calendar.ics", private=False)


def _history_name(group) -> str:
    """Not the group feed's name: someone may subscribe to both."""
    return _("%(group)s: all events") % {"group": group.name}


@require_safe
@in_feed_language
def group_history_feed(request):
    """Every published event, however old: for those who keep the group's whole history."""
    group = group_or_404(request)

    def build():
        events = ical.feed_events(
            Event.objects.published().filter(group=group).order_by("starts_at", "pk")
        )
        return ical.build_calendar(
            events,
            group=group,
            name=_history_name(group),
            description=group.tagline or group.name,
        )

    version = feed_version("history")
    return _respond(request, version, build, filename="calendar-all.ics", private=False)


@require_safe
@in_feed_language
def series_feed(request, slug):
    """One series' published events, in the group feed's window: for those who follow only
    the monthly guest evening."""
    group = group_or_404(request)
    series = get_object_or_404(by_slug(Series.objects.filter(group=group), slug))
    now = timezone.now()

    def build():
        events = ical.feed_events(in_feed_window(now).filter(group=group, series=series))
        return ical.build_calendar(
            events, group=group, name=series_feed_name(series, group), description=group.name
        )

    # The name is in the key: renaming the series renames the calendar.
    version = feed_version(f"series:{series.pk}:{series.name}", window_since=now - WINDOW)
    return _respond(request, version, build, filename=f"{series.slug}.ics", private=False)


def series_feed_name(series, group) -> str:
    return _("%(group)s: %(series)s") % {"group": group.name, "series": series.name}


@require_safe
@in_feed_language
def event_feed(request, slug):
    group = group_or_404(request)
    event = get_object_or_404(by_slug(Event.objects.published(), slug))

    def build():
        events = ical.feed_events(Event.objects.filter(pk=event.pk))
        return ical.build_calendar(
            events, group=group, name=events[0].title, description=group.name
        )

    version = feed_version(f"event:{event.pk}")
    return _respond(request, version, build, filename=f"{event.slug}.ics", private=False)


@require_safe
@in_feed_language
def personal_feed(request, token):
    group = group_or_404(request)
    member = get_object_or_404(get_user_model(), calendar_token=token, is_active=True)
    now = timezone.now()

    def build():
        rsvps = RSVP.objects.filter(
            member=member,
            status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
            event__in=in_feed_window(now).values("pk"),
        ).values_list("event_id", "status")
        going = frozenset(pk for pk, status in rsvps if status == RSVPStatus.GOING)
        waitlisted = frozenset(pk for pk, status in rsvps if status == RSVPStatus.WAITLISTED)
        events = ical.feed_events(
            Event.objects.filter(pk__in=going | waitlisted).order_by("starts_at", "pk")
        )
        return ical.build_calendar(
            events,
            group=group,
            name=_("%(group)s: my events") % {"group": group.name},
            description=_("The events you are going to or waitlisted for."),
            going_ids=going,
            waitlisted_ids=waitlisted,
        )

    version = feed_version(
        f"member:{member.pk}:{token}", member_id=member.pk, window_since=now - WINDOW
    )
    return _respond(request, version, build, filename="my-events.ics", private=True)


def subscribe_links(feed_url: str, name: str) -> dict:
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    return {
        "https": feed_url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": feed_url, "name": name}),
    }


def google_add_link(event: Event) -> str:
    """Google Calendar's "add event" template link for one event."""
    fmt = "%Y%m%dT%H%M%SZ"
    dates = (
        f"{event.starts_at.astimezone(timezone.UTC).strftime(fmt)}/"
        f"{event.ends_at.astimezone(timezone.UTC).strftime(fmt)}"
    )
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": f"{event.summary}\n\n{absolute(event.get_absolute_url())}".strip(),
        "location": ical.location_text(event, private=False),
        "ctz": event.group.time_zone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


@require_safe
def subscribe(request):
    group = group_or_404(request)
    # The feeds in the reader's language; the group feed's other languages are listed too.
    feed_url = absolute(reverse("events:calendar"))
    history_url = reader_address(absolute(reverse("events:calendar_history")))
    current = translation.get_language()
    context = {
        "links": subscribe_links(reader_address(feed_url), group.name),
        "history_links": subscribe_links(history_url, _history_name(group)),
        "other_languages": [
            (
                code,
                translation.get_language_info(code)["name_local"],
                language_address(feed_url, code),
            )
            for code, _name in settings.LANGUAGES
            if code != current
        ],
    }
    # The embed's copy-paste snippet, shown to everyone: it shows only on the sites the
    # organizers list (events/embed_views.py), so it gives nobody anything the page does not.
    context["embed_snippet"] = render_to_string(
        "events/includes/embed_iframe.html",
        {
            "src": reader_address(absolute(reverse("events:embed"))),
            "title": _("Next events of %(group)s") % {"group": group.name},
            "width": "100%",
            "height": 420,
        },
    ).strip()
    if request.user.is_authenticated:
        personal = absolute(f"/calendar/{request.user.calendar_token}.ics")
        context["personal_links"] = subscribe_links(reader_address(personal), group.name)
    return TemplateResponse(request, "events/subscribe.html", context)
