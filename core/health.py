"""/healthz: can this server serve? 200 while the database answers (naming any part that is
degraded, such as an unreachable Redis the site works around), 503 when it does not."""

import logging

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .cache import degraded_caches

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """For the container's health check and the proxy's: 503 only when pages would fail.

    The Host is checked as on every page (a DisallowedHost is a 400), so a proxy that asks
    with a name the site does not answer to finds out at once."""
    request.get_host()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not ready"; the reason stays out of the answer
        logger.exception("healthz: the database did not answer")
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    lines = ["ok"]
    lines += [f"degraded: cache {alias} (Redis unreachable)" for alias in degraded_caches()]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
