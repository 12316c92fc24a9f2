"""Refuses request bodies that are too large before a byte of them is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, and a multipart body is
spooled to disk in full before a view or form sees it. This middleware comes first and answers
413 from the Content-Length header alone, so an oversized body is never read, parsed or stored.
A body sent without Content-Length (chunked) is not read by Django at all (it counts as empty).

Photo uploads are the largest bodies: reading and parsing one of 100 MB takes a web worker a
core for a second or so. At most POTLUCK_UPLOAD_SLOTS of them (default: half the CPUs, at least
1) are read at once on a machine (core.slots); the others wait (their bytes held back by TCP),
so uploads can never take every core from the pages. One that waits longer than
UPLOAD_SLOT_WAIT seconds gets 503 and is asked to try again.
"""

import re

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from . import slots

MB = 1024 * 1024
# Where several photos come in one request: 10 files of 20 MB at most, plus the form.
UPLOAD_PATHS = re.compile(r"^/(?:photos/albums/\d+|events/[^/]+/photos)/upload/$")
# Where one image comes in (the admin's covers and speaker photos, the member's avatar) or a
# calendar file is imported.
SINGLE_FILE_PATHS = re.compile(r"^/(?:admin/|me/$)")
UPLOAD_SLOT_WAIT = 20  # seconds; gunicorn stops a request after 30


def limit_for(path: str) -> int:
    if UPLOAD_PATHS.match(path):
        return getattr(settings, "POTLUCK_MAX_REQUEST_BYTES", 10 * 20 * MB + MB)
    if SINGLE_FILE_PATHS.match(path):
        return getattr(settings, "POTLUCK_MAX_FILE_REQUEST_BYTES", 20 * MB + MB)
    return getattr(settings, "POTLUCK_MAX_FORM_REQUEST_BYTES", 3 * MB)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = limit_for(request.path_info)
        if length > limit:
            response = HttpResponse(
                _("This request is too large (%(size)d MB; at most %(limit)d MB here).\n")
                % {"size": length // MB, "limit": limit // MB},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            response["Connection"] = "close"  # the unread body is not waited for
            return response
        if length and request.method == "POST" and UPLOAD_PATHS.match(request.path_info):
            return self._one_of_the_machines_uploads(request)
        return self.get_response(request)

    def _one_of_the_machines_uploads(self, request):
        try:
            with slots.machine_slot(
                "upload", slots.count_from("POTLUCK_UPLOAD_SLOTS"), wait=UPLOAD_SLOT_WAIT
            ):
                return self.get_response(request)
        except slots.Busy:
            response = HttpResponse(
                _("The site is busy with other uploads; please try again in a minute.\n"),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "60"
            response["Connection"] = "close"
            return response
