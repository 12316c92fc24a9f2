from django.db import DatabaseError
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

from . import compression
from .health import healthz


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

    BREACH: see core/compression.py. Responses with a CSRF token or for a signed-in person
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


class PersonalPagesNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every personal response, so neither a proxy nor
    the browser's disk (a shared computer, a backup of the profile) keeps it.

    Personal means: answered to a signed-in person (a session), or marked `private` by its
    view (the personal calendar feed, the data export). Left as they are: responses their view
    marked `public` (the same for everyone, e.g. the group's calendar feed), images (served
    `private, max-age` to members from the browser's own cache only, so albums stay fast),
    and every response to a visitor without a session (the public page cache's pages keep
    their headers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "").lower()
        if "no-store" in cache_control and "private" in cache_control:
            return response
        if response.get("Content-Type", "").startswith("image/"):
            return response
        personal = "private" in cache_control
        if not personal and "public" not in cache_control:
            try:
                user = getattr(request, "user", None)
                personal = bool(user is not None and user.is_authenticated)
            except DatabaseError:  # the database went away: never store what was answered
                personal = True
        if personal:
            response["Cache-Control"] = "private, no-store"
        return response
