from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.generations import request_expires, request_generation
from groups import services
from groups.access import viewer
from groups.forms import ContactForm
from groups.middleware import group_or_404

from .queries import home_context


def _render_home(request, form, status=200):
    group = request.group
    context = {"contact_form": form}
    if group is not None:
        freshness = {
            "generation": request_generation(request),
            "expires": request_expires(request),
        }
        context.update(home_context(group, viewer(request), **freshness))
    return TemplateResponse(request, "groups/home.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def home(request):
    return _render_home(request, ContactForm())


@require_http_methods(["POST"])
def contact(request):
    """The "want to step up?" form: validated, rate limited, then mailed to the organizers.

    It lives with the home page because a refused message is shown on the home page again.
    """
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
