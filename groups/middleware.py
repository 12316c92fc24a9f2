"""What every request carries about the group, set by GroupTimezoneMiddleware.

As pretalx sets `request.event`, the middleware sets public attributes (typed on
groups.request.PotluckRequest, for type hints):

- `request.group`: the site's group (groups.models.Group), None while the site has none;
  read together with the page counter in one query (groups.generations.site_state).
- `request.page_generation`: the page counter (a string): it moves with every committed
  change to what pages show; core.generations.request_generation adds the transaction's
  own uncommitted changes.
- `request.page_expires`: the next moment pages change by the clock alone (an event starts,
  ends, opens or closes RSVPs), read in that same query; cached pages and totals are kept
  until then. None when no such moment is ahead.
- `request.viewer`: the person looking, as the group sees them (groups.access.Viewer:
  membership role, organizer, superuser). Computed when first read, so a request that never
  asks pays no query; read it through groups.access.viewer(request), which follows
  `request.user` when it changes during the request (logging in).

Nothing else is passed between modules on a request (no private attributes); the admin's
group mixin adds `request.single_group` when it first asks (groups.admingroup).
"""

from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .access import viewer_for
from .generations import site_state
from .models import Group
from .request import PotluckRequest


def group_or_404(request: PotluckRequest) -> Group:
    """The site's group, as the middleware found it; 404 while the site has none."""
    group = request.group
    if group is None:
        raise Http404(_("This site has no group yet."))
    return group


class GroupTimezoneMiddleware:
    """Sets request.group, request.page_generation and request.viewer (see the module's
    docstring), and shows and reads times in the group's zone (admin forms included); UTC
    stays in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = site_state()
        group = state.group
        request.group = group
        request.page_generation = state.generation
        request.page_expires = state.expires
        request.viewer = SimpleLazyObject(lambda: viewer_for(request.user, request.group))
        if group is not None:
            timezone.activate(group.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
