"""What the events admin pages share: feeds refreshed on save, the timeframe filter."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import gettext_lazy as _

from ..calendar_cache import calendar_changed


class CalendarChangeMixin:
    """Edits in the admin refresh the cached calendar feeds once they commit."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        calendar_changed()


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
