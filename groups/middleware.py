from django.http import Http404
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.translation import gettext as _

from .health import healthz
from .models import Group


def group_or_404(request) -> Group:
    """The site's group, as the middleware found it; 404 while the site has none."""
    group = request._potluck_group
    if group is None:
        raise Http404(_("This site has no group yet."))
    return group


class GroupTimezoneMiddleware:
    """Shows and reads times in the group's zone (admin forms included); UTC stays in the DB."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        group = Group.objects.current()
        request._potluck_group = group
        if group is not None:
            timezone.activate(group.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class HealthzMiddleware:
    """Answers /healthz before any other middleware, so a database that is down gives 503.

    The middleware after this one (sessions, the group's time zone) would otherwise reach
    the database first and turn an outage into a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)


class CompressionMiddleware(GZipMiddleware):
    """gzip for HTML, feeds and JSON; images and archives are compressed already.

    BREACH: Django's GZipMiddleware adds up to 100 random bytes to every compressed response
    ("Heal the Breach"), and CSRF tokens are masked afresh for each response, so a secret on
    the page cannot be recovered by watching compressed sizes.
    """

    SKIP = ("image/", "application/zip", "application/gzip", "video/", "audio/")

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(self.SKIP):
            return response
        return super().process_response(request, response)
