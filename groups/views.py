from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import imagefiles, services
from .middleware import group_or_404


@login_required
@require_POST
def join(request):
    group = group_or_404(request)
    services.membership_join(group=group, user=request.user)
    messages.success(request, _("Welcome! You are a member of %(group)s.") % {"group": group.name})
    return redirect("home")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request):
    """Leaving takes a confirmation; the last organizer is told why they cannot."""
    group = group_or_404(request)
    error = None
    if request.method == "POST":
        try:
            services.membership_leave(group=group, user=request.user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, _("You have left %(group)s.") % {"group": group.name})
            return redirect("home")
    status = 409 if error else 200
    return TemplateResponse(request, "groups/leave.html", {"error": error}, status=status)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /me/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def cover_image(request, version, ext):
    """The group's cover picture: public, like the home page."""
    group = group_or_404(request)
    return imagefiles.image_response(
        request, group.cover_image, version, ext, public=True, shape=imagefiles.COVER
    )
