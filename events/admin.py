from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services, timefmt
from .models import (
    AgendaItem,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    Series,
    Speaker,
    SpeakerLink,
    Venue,
)


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
        return queryset


class EventSpeakerInline(admin.TabularInline):
    model = EventSpeaker
    extra = 0
    autocomplete_fields = ["speaker"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class BreakoutInline(admin.StackedInline):
    model = Breakout
    extra = 0
    autocomplete_fields = ["facilitator"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "local_start", "status", "venue", "series"]
    list_filter = ["status", "series", TimeframeFilter]
    list_select_related = ["venue", "series", "group"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["venue", "hosts", "series"]
    readonly_fields = ["sequence", "created_at", "created_by", "updated_at", "updated_by"]
    inlines = [EventSpeakerInline, AgendaItemInline, BreakoutInline]
    actions = ["publish", "cancel", "duplicate_to_next_date"]
    fieldsets = [
        (None, {"fields": ["group", "title", "slug", "summary", "description", "status"]}),
        (_("When"), {"fields": ["starts_at", "ends_at", "series"]}),
        (_("Where"), {"fields": ["venue", "is_online", "online_url"]}),
        (_("People"), {"fields": ["hosts", "capacity", "cover_image"]}),
        (
            _("Record"),
            {"fields": ["sequence", "created_at", "created_by", "updated_at", "updated_by"]},
        ),
    ]

    @admin.display(description=_("starts (group time)"), ordering="starts_at")
    def local_start(self, obj):
        return timefmt.format_start(obj.starts_at, obj.group.zone)

    def save_model(self, request, obj, form, change):
        services.event_save(event=obj, by=request.user, changed_fields=form.changed_data)

    @admin.action(description=_("Publish the selected events"))
    def publish(self, request, queryset):
        for event in queryset:
            services.event_set_status(event=event, status=EventStatus.PUBLISHED, by=request.user)
        self.message_user(
            request,
            ngettext("%d event published.", "%d events published.", len(queryset)) % len(queryset),
        )

    @admin.action(description=_("Cancel the selected events"))
    def cancel(self, request, queryset):
        for event in queryset:
            services.event_set_status(event=event, status=EventStatus.CANCELLED, by=request.user)
        self.message_user(
            request,
            ngettext("%d event cancelled.", "%d events cancelled.", len(queryset)) % len(queryset),
        )

    @admin.action(description=_("Duplicate into the series' next date (as a draft)"))
    def duplicate_to_next_date(self, request, queryset):
        for event in queryset.select_related("series", "group", "venue"):
            if event.series_id is None:
                self.message_user(
                    request,
                    _("“%(title)s” is not part of a series, so it has no next date.")
                    % {"title": event.title},
                    level=messages.WARNING,
                )
                continue
            copy = services.event_duplicate_to_next(event=event, by=request.user)
            self.message_user(
                request,
                _("Created the draft “%(title)s” on %(when)s.")
                % {
                    "title": copy.title,
                    "when": timefmt.format_start(copy.starts_at, copy.group.zone),
                },
            )


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "city"]
    search_fields = ["name", "address", "city"]


class SpeakerLinkInline(admin.TabularInline):
    model = SpeakerLink
    extra = 0


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "affiliation", "member"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["member"]
    inlines = [SpeakerLinkInline]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "cadence", "recurrence", "default_venue"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["default_venue"]
