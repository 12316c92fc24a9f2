from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from groups.models import Group

from . import timefmt
from .models import Event


class UpcomingEventsAtomFeed(Feed):
    """An Atom feed of upcoming events, for feed readers."""

    feed_type = Atom1Feed
    link = "/events/"
    subtitle = _("Upcoming events")

    def get_object(self, request, *args, **kwargs):
        return request.group or Group.objects.current()

    def title(self, group):
        return group.name if group else "Potluck"

    def items(self, group):
        return Event.objects.published().upcoming().select_related("venue")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        when = timefmt.format_range(item.starts_at, item.ends_at, item.group.zone)
        return f"{when}\n\n{item.summary or item.plain_description}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at
