from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import ratelimit, services
from .forms import ContactForm
from .middleware import group_or_404
from .queries import home_context


def _render_home(request, form, status=200):
    group = request._potluck_group
    context = {"contact_form": form}
    if group is not None:
        context.update(home_context(group, request.user))
    return TemplateResponse(request, "groups/home.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def home(request):
    return _render_home(request, ContactForm())


@require_http_methods(["POST"])
def contact(request):
    """The "want to step up?" form: validated, rate limited, then mailed to the organizers."""
    group = group_or_404(request)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _render_home(request, form, status=400)
    if not ratelimit.hit(request, action="contact", rate=settings.POTLUCK_CONTACT_RATE):
        form.add_error(
            None, _("You have sent several messages already. Please try again in an hour.")
        )
        return _render_home(request, form, status=429)
    services.contact_send(
        group=group, **{k: form.cleaned_data[k] for k in ("name", "email", "message")}
    )
    messages.success(request, _("Thank you! Your message is on its way to the organizers."))
    return redirect("home")


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


@never_cache
@require_safe
def healthz(request):
    """For the container's health check: answers 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


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
