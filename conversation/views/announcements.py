"""Announcements to the group, as members read them."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from groups.access import viewer
from groups.middleware import group_or_404
from groups.visibility import allowed

from ..models import Announcement
from .common import ANNOUNCEMENTS_PER_PAGE, _members_only

# --- Announcements -----------------------------------------------------------------------------


@login_required
@require_safe
def announcements(request):
    group = group_or_404(request)
    if not allowed(viewer(request), "announcements"):
        return _members_only(request, "announcements")
    posts = Announcement.objects.filter(group=group).published().select_related("author")
    # Counted on each visit (one indexed count): what is published depends on the clock, so
    # a total kept per change (core.counts) would be keyed by every new "now".
    paginator = Paginator(posts.order_by("-send_at", "-pk"), ANNOUNCEMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "announcements": page.object_list,
    }
    return TemplateResponse(request, "conversation/announcements.html", context)


@login_required
@require_safe
def announcement_detail(request, pk):
    group = group_or_404(request)
    if not allowed(viewer(request), "announcements"):
        return _members_only(request, "announcements")
    announcement = get_object_or_404(
        Announcement.objects.filter(group=group).published().select_related("author"), pk=pk
    )
    return TemplateResponse(
        request, "conversation/announcement.html", {"announcement": announcement}
    )
