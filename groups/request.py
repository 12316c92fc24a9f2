"""The request as Potluck's middleware leaves it, for type hints (groups.middleware)."""

from django.http import HttpRequest

from .access import Viewer
from .models import Group


class PotluckRequest(HttpRequest):
    """An HttpRequest after GroupTimezoneMiddleware: annotate views with it, never build one."""

    group: Group | None  # the site's group; None while the site has none
    page_generation: str  # what public pages show, read with the group in one query
    viewer: Viewer  # computed when first read; read it through groups.access.viewer()
    single_group: bool  # set by groups.admingroup.CurrentGroupAdminMixin when it first asks
