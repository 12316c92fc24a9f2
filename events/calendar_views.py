"""The iCalendar feeds and the page that explains how to subscribe.

The feeds never touch the session or the logged-in user: calendar clients send no cookies, and
a response that set one would not be cacheable.
"""

from datetime import timedelta
from urllib.parse import quote, urlencode

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groups.middleware import group_or_404

from . import ical
from .calendar_cache import CachedFeed, cached_feed
from .models import RSVP, Event, RSVPStatus, by_slug

RECENT = timedelta(days=365)


def in_feed_window(now=None):
    """Published events that are upcoming, or past but from the last twelve months."""
    return Event.objects.published().upcoming_or_recent(now, recent=RECENT)


def _last_modified(events) -> object:
    return max((ical.last_changed(e) for e in events), default=None)


def _respond(request, feed: CachedFeed, *, filename: str, private: bool) -> HttpResponse:
    # HTTP dates have whole seconds; compare in whole seconds too.
    last_modified = int(feed.last_modified.timestamp()) if feed.last_modified else None
    not_modified = get_conditional_response(request, etag=feed.etag, last_modified=last_modified)
    if not_modified is not None:
        response = not_modified
    else:
        response = HttpResponse(feed.body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = feed.etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    if private:
        patch_cache_control(response, private=True, max_age=300)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def group_feed(request):
    group = group_or_404(request)

    def build():
        events = ical.feed_events(in_feed_window().filter(group=group))
        body = ical.build_calendar(
            events, group=group, name=group.name, description=group.tagline or group.name
        )
        return body, _last_modified(events)

    return _respond(request, cached_feed("group", build), filename="calendar.ics", private=False)


@require_safe
def event_feed(request, slug):
    group = group_or_404(request)
    event = get_object_or_404(by_slug(Event.objects.published(), slug))

    def build():
        events = ical.feed_events(Event.objects.filter(pk=event.pk))
        body = ical.build_calendar(
            events, group=group, name=events[0].title, description=group.name
        )
        return body, _last_modified(events)

    feed = cached_feed(f"event:{event.pk}", build)
    return _respond(request, feed, filename=f"{event.slug}.ics", private=False)


@require_safe
def personal_feed(request, token):
    group = group_or_404(request)
    member = get_object_or_404(get_user_model(), calendar_token=token, is_active=True)

    def build():
        rsvps = RSVP.objects.filter(
            member=member,
            status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
            event__in=in_feed_window().values("pk"),
        ).values_list("event_id", "status")
        going = frozenset(pk for pk, status in rsvps if status == RSVPStatus.GOING)
        waitlisted = frozenset(pk for pk, status in rsvps if status == RSVPStatus.WAITLISTED)
        events = ical.feed_events(
            Event.objects.filter(pk__in=going | waitlisted).order_by("starts_at", "pk")
        )
        body = ical.build_calendar(
            events,
            group=group,
            name=_("%(group)s: my events") % {"group": group.name},
            description=_("The events you are going to or waitlisted for."),
            going_ids=going,
            waitlisted_ids=waitlisted,
        )
        return body, _last_modified(events)

    feed = cached_feed(f"member:{member.pk}:{token}", build, member_id=member.pk)
    return _respond(request, feed, filename="my-events.ics", private=True)


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
        "details": f"{event.summary}\n\n{ical.absolute(event.get_absolute_url())}".strip(),
        "location": ical.location_text(event, private=False),
        "ctz": event.group.time_zone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params, quote_via=quote)


@require_safe
def subscribe(request):
    group = group_or_404(request)
    feed_url = ical.absolute("/calendar.ics")
    context = {"links": subscribe_links(feed_url, group.name)}
    if request.user.is_authenticated:
        personal = ical.absolute(f"/calendar/{request.user.calendar_token}.ics")
        context["personal_links"] = subscribe_links(personal, group.name)
    return TemplateResponse(request, "events/subscribe.html", context)
