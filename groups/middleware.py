from django.http import Http404
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import compression
from .generations import group_and_generation
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
        group, generation = group_and_generation()
        request._potluck_group = group
        request._potluck_generation = generation
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
    """Brotli or gzip for HTML, feeds and JSON; images and archives are compressed already.

    BREACH: see groups/compression.py. Responses with a CSRF token or for a signed-in person
    get gzip with Django's random padding ("Heal the Breach"); brotli only for the rest.
    """

    SKIP = ("image/", "application/zip", "application/gzip", "video/", "audio/")

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(self.SKIP):
            return response
        if response.streaming or len(response.content) < 200:
            return super().process_response(request, response)
        if response.has_header("Content-Encoding"):
            return response
        coding = compression.negotiate(
            request, secret_free=compression.response_is_secret_free(request, response)
        )
        if coding == compression.GZIP:
            return super().process_response(request, response)
        if coding is None:  # no coding accepted (gzip;q=0 included): the body as it is
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        packed = compression.compress(response.content, compression.BR)
        if len(packed) >= len(response.content):
            return response
        response.content = packed
        response.headers["Content-Length"] = str(len(packed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = compression.BR
        return response
