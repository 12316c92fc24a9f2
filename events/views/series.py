"""A series' page: its dates, its calendar feed, and following it by email."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from core.languages import reader_address
from groups.access import viewer
from groups.models import Membership

from .. import services
from ..calendar_views import series_feed_name, subscribe_links
from ..models import Event, Series, SeriesFollow, by_slug
from ..seo import absolute
from .pages import PAGE_SIZE, CaseInsensitiveSlugMixin


class SeriesDetailView(CaseInsensitiveSlugMixin, DetailView):
    template_name = "events/series.html"
    context_object_name = "series"
    queryset = Series.objects.select_related("default_venue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series = self.object
        events = Event.objects.published().filter(series=series)
        context["upcoming"] = list(events.upcoming().for_listing()[:PAGE_SIZE])
        context["past"] = list(events.past().for_listing()[:PAGE_SIZE])
        feed = reader_address(absolute(reverse("events:series_calendar", args=[series.slug])))
        context["feed_links"] = subscribe_links(feed, series_feed_name(series, self.request.group))
        context["may_follow"], context["following"] = self._follow_state(series)
        return context

    def _follow_state(self, series) -> tuple[bool, bool]:
        """(may follow, follows): a member's, read in one query with their membership;
        nobody's without a session (the page visitors share stays one cached copy)."""
        user = self.request.user
        if not user.is_authenticated:
            return False, False
        if user.is_superuser:
            return True, SeriesFollow.objects.filter(series=series, member=user).exists()
        row = (
            Membership.objects.active()
            .filter(group=self.request.group, user=user)
            .annotate(following=Exists(SeriesFollow.objects.filter(series=series, member=user)))
            .values_list("following", flat=True)
            .first()
        )
        return row is not None, bool(row)


@login_required
@require_POST
def series_follow(request, slug):
    """Members only: follow=1 follows, anything else unfollows; back to the series page."""
    series = get_object_or_404(by_slug(Series.objects.all(), slug))
    if not viewer(request).is_member:
        raise PermissionDenied(_("Only members of the group can follow a series."))
    following = services.series_follow_set(
        series=series, member=request.user, following=request.POST.get("follow") == "1"
    )
    if following:
        messages.success(
            request, _("Done: we will email you when a new date of this series is scheduled.")
        )
    else:
        messages.success(request, _("Done: no more emails about new dates of this series."))
    return redirect(series)
