"""What the events admin pages share: the timeframe filter."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import gettext_lazy as _


class TimeframeFilter(admin.SimpleListFilter):
    """Upcoming/past, decided by the queryset methods like everywhere else."""

    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.upcoming()
        if self.value() == "past":
            return queryset.past()
        if self.value() is not None:
            raise IncorrectLookupParameters(f"unknown timeframe: {self.value()!r}")
        return queryset
