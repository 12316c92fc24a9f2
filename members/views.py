from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.calendar_views import subscribe_links
from events.ical import absolute

from . import services


@login_required
@require_http_methods(["GET", "HEAD"])
def me(request):
    """The member's own page: their account and the links to manage it."""
    feed_url = absolute(f"/calendar/{request.user.calendar_token}.ics")
    group = request._potluck_group
    context = {"calendar_links": subscribe_links(feed_url, group.name if group else "Potluck")}
    return TemplateResponse(request, "members/me.html", context)


@login_required
@require_POST
def rotate_calendar_token(request):
    services.member_rotate_calendar_token(member=request.user)
    messages.success(request, _("Your calendar address has changed. The old one no longer works."))
    return redirect("members:me")
