from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .generations import site_state
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
        state = site_state()
        group = state.group
        request.group = group
        request._potluck_group = group
        request.page_generation = state.generation
        request.page_expires = state.expires
        if group is not None:
            timezone.activate(group.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
