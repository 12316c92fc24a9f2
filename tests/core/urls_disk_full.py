"""The site's URLs (and its 500 handler) plus a view that stores a file, for the 507 test."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.urls import path

from config.urls import handler500  # noqa: F401 - the site's handler, as in production
from config.urls import urlpatterns as site_urlpatterns


def store(request):
    """Stores 300 kB, as the admin's cover upload does (no page of its own catches a full disk)."""
    default_storage.save("covers/big.bin", ContentFile(bytes(300 * 1024)))
    return HttpResponse("stored")


urlpatterns = [path("test-only/store/", store), *site_urlpatterns]
