"""The 500 handler: a database that cannot be reached is 503, "try again in a moment"; a full
disk is 507, "the upload was not saved" (the upload pages say so next to their file field
themselves; this is for any other page that stores a file, the admin's images say)."""

import sys

from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from .resilience import DATABASE_GONE
from .uploads import is_disk_full

RETRY_AFTER = 30  # seconds: a database restart takes a few


def database_unreachable(error: BaseException | None) -> bool:
    """The connection failed or was lost (refused, restarting, closed), not a bad query."""
    return isinstance(error, DATABASE_GONE)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500, called while the exception is handled, so it can tell which it was.

    503.html, like 500.html, is rendered with no request and no context: it needs no
    database (no group name, no user), only the stylesheet and fixed links."""
    if database_unreachable(sys.exception()):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    if is_disk_full(sys.exception()):
        return HttpResponse(loader.get_template("507.html").render(), status=507)
    return django_server_error(request, template_name)
