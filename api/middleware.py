"""What every answer of the JSON API shares: anonymous, conditional, open to other origins
for reading, and rate-limited (README "API")."""

import hashlib

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from core import ratelimit

PREFIX = "/api/"
# The human page about the API is an ordinary page of the site (header, sign-in, language).
PAGES = ("/api/docs/",)
READS = ("GET", "HEAD")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
    "Access-Control-Max-Age": "86400",
}
# How long a reader may keep an answer before asking again (with If-None-Match).
MAX_AGE = 60


def is_api(path: str) -> bool:
    return path.startswith(PREFIX) and path not in PAGES


class ApiMiddleware:
    """Placed before the session: an API request loses its cookies (and Accept-Language:
    the language is the site's unless ?lang= names another), so a signed-in browser is
    answered as a visitor and no answer varies by person. GET and HEAD answers carry CORS
    headers and an ETag of their body (304 when If-None-Match matches); OPTIONS is a CORS
    preflight for reading only; more than POTLUCK_API_RATE requests from one address get
    429 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request.path_info):
            return self.get_response(request)
        request.COOKIES = {}
        request.META.pop("HTTP_COOKIE", None)
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204))
        if request.method not in READS:
            response = JsonResponse({"detail": "The API only reads."}, status=405)
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        rate = settings.POTLUCK_API_RATE
        if not ratelimit.hit(request, action="api", rate=rate):
            _amount, seconds = ratelimit.parse_rate(rate)
            response = JsonResponse({"detail": "Too many requests: slow down."}, status=429)
            response["Retry-After"] = str(seconds)
            return _cors(response)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"  # django-ninja routes GET only; HEAD is GET without a body
        response = self.get_response(request)
        for name in ("Vary", "Set-Cookie"):
            if name in response:
                del response[name]
        response.cookies.clear()
        if response.status_code == 200 and not response.streaming:
            if not response.has_header("ETag"):
                digest = hashlib.sha256(response.content).hexdigest()[:32]
                response["ETag"] = f'"{digest}"'
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        if head and not response.streaming:
            response.content = b""
        return _cors(response)


def _cors(response):
    for name, value in CORS.items():
        response[name] = value
    return response
