"""The site's URLs (and its 500 handler) plus views that fail, for the 500 and 503 tests."""

from django.db import OperationalError
from django.urls import path

from config.urls import handler500  # noqa: F401 - the site's handler, as in production
from config.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a bug")


def database_gone(request):
    raise OperationalError("connection refused: is the server running on port 5432?")


urlpatterns = [
    path("test-only/fail/", fail),
    path("test-only/database-gone/", database_gone),
    *site_urlpatterns,
]
