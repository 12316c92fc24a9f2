from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import ratelimit, services
from .forms import ContactForm
from .models import Group
from .queries import home_context


def _group_or_404(request) -> Group:
    group = request._potluck_group
    if group is None:
        raise Http404(_("This site has no group yet."))
    return group


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
    group = _group_or_404(request)
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
