"""Garbage in an admin address's query string answers 400, for every ModelAdmin at once.

A NUL byte reaches PostgreSQL as a filter or search value and fails there ("A string literal
cannot contain NUL"), a 500 on every changelist with a list filter or a search box; bytes that
are not UTF-8 arrive as U+FFFD. Django's own admins and allauth's have no StrictFiltersMixin
(core/adminfilters.py), so the check is made once, before any admin view runs.
"""

import re

from django.core.exceptions import BadRequest
from django.urls import reverse

from .adminfilters import BOOLEAN_VALUES

# C0 controls but tab, line feed and carriage return (a search box may hold those), DEL, and
# the replacement character that stands for bytes that were not UTF-8.
GARBAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def query_garbage(query) -> str | None:
    """Why this QueryDict is refused, or None."""
    for name, values in query.lists():
        if GARBAGE.search(name) or any(GARBAGE.search(value) for value in values):
            return f"control character or bad UTF-8 in {name!r}"
        if name.endswith("__isnull") and any(v.lower() not in BOOLEAN_VALUES for v in values):
            return f"not a boolean: {name!r}"
    return None


class AdminQueryGuardMiddleware:
    """Answers 400 (the site's 400 page) to an admin request whose query string holds garbage."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path_info.startswith(self.prefix) and request.GET:
            reason = query_garbage(request.GET)
            if reason is not None:
                raise BadRequest(reason)
        return self.get_response(request)
