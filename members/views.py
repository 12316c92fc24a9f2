from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods


@login_required
@require_http_methods(["GET", "HEAD"])
def me(request):
    """The member's own page: their account and the links to manage it."""
    return TemplateResponse(request, "members/me.html", {})
