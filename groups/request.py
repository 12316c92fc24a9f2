"""The request as Potluck's middleware leaves it, for type hints (groups.middleware)."""

from datetime import datetime

from django.http import HttpRequest

from .access import Viewer
from .models import Group


class PotluckRequest(HttpRequest):
    """An HttpRequest after GroupTimezoneMiddleware: annotate views with it, never build one."""

    group: Group | None  # the site's group; None while the site has none
    page_generation: str  # the page counter, read with the group in one query
    page_expires: datetime | None  # the next moment pages change by the clock alone
    # Set on the way: home.pagecache's decision (PageCacheDecision) for a page it caches,
    # and events.views.EventPageVersion for a signed-in person's event page.
    page_cache: object
    event_page_version: object
    viewer: Viewer  # computed when first read; read it through groups.access.viewer()
    single_group: bool  # set by groups.admingroup.CurrentGroupAdminMixin when it first asks
