"""Venues, speakers and series (and scheduling a series)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from core.imagefiles import PORTRAIT, StoredImagesAdminMixin
from core.markdown import StoredMarkdownAdminMixin
from groups.admingroup import CurrentGroupAdminMixin

from .. import services, timefmt
from ..forms import ScheduledDatesFormSet, SeriesScheduleForm, VenueMergeForm
from ..models import (
    Series,
    Speaker,
    SpeakerLink,
    Venue,
)


@admin.register(Venue)
class VenueAdmin(TranslationAdmin):  # each text in English and Spanish, side by side
    list_display = ["name", "address", "city"]
    search_fields = ["name", "address", "city"]
    actions = ["merge_venues"]
    fields = [
        ("name_en", "name_es"),
        ("address_en", "address_es"),
        "city",
        "latitude",
        "longitude",
        ("accessibility_notes_en", "accessibility_notes_es"),
        ("directions_en", "directions_es"),
    ]

    def save_model(self, request, obj, form, change):
        services.venue_save(venue=obj, changed_fields=form.changed_data if change else ())

    @admin.action(description=_("Merge selected venues"), permissions=["change", "delete"])
    def merge_venues(self, request, queryset):
        """An intermediate page asks which venue stays (the oldest, unless chosen otherwise);
        every event and series of the others moves to it, and the others are deleted."""
        venues = queryset.annotate(event_count=Count("events")).order_by("created_at", "pk")
        if len(venues) < 2:
            self.message_user(
                request, _("Select at least two venues to merge them."), messages.WARNING
            )
            return None
        form = VenueMergeForm(request.POST if "merge" in request.POST else None, venues=venues)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "venues": venues,
                "title": _("Merge venues"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/events/venue/merge.html", context)
        keep = form.cleaned_data["keep"]
        duplicates = [venue for venue in venues if venue.pk != keep.pk]
        moved = services.venues_merge(keep=keep, duplicates=duplicates)
        text = ngettext(
            "Kept “%(venue)s” and deleted %(count)d duplicate.",
            "Kept “%(venue)s” and deleted %(count)d duplicates.",
            len(duplicates),
        ) % {"venue": keep.name, "count": len(duplicates)}
        text += " " + ngettext(
            "%(count)d event moved to it.", "%(count)d events moved to it.", moved
        ) % {"count": moved}
        self.message_user(request, text, messages.SUCCESS)
        return None


class SpeakerLinkInline(TranslationStackedInline):
    """Stacked: each field labelled (Django's tabular inline has column headings only)."""

    model = SpeakerLink
    extra = 0
    fields = [("label_en", "label_es"), "url", "order"]


@admin.register(Speaker)
class SpeakerAdmin(StoredImagesAdminMixin, StoredMarkdownAdminMixin, TranslationAdmin):
    image_shapes = {"photo": PORTRAIT}
    image_urls = {"photo": "photo_jpeg_url"}
    list_display = ["name", "affiliation", "member"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["member"]
    inlines = [SpeakerLinkInline]

    class Media:
        js = ["js/admin-labels.js"]  # the "member account" search box named (select2, axe)


@admin.register(Series)
class SeriesAdmin(CurrentGroupAdminMixin, StoredMarkdownAdminMixin, TranslationAdmin):
    list_display = ["name", "cadence", "recurrence", "default_venue"]
    search_fields = ["name"]
    fields = [
        "group",
        ("name_en", "name_es"),
        "slug",
        ("description_en", "description_es"),
        ("cadence_en", "cadence_es"),
        "recurrence",
        "default_venue",
    ]
    prepopulated_fields = {"slug": ["name"]}
    # A plain select (a group has a few venues): select2's box has no accessible name (axe).
    actions = ["schedule_next_dates"]
    change_form_template = "admin/events/series/change_form.html"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name="events_series_schedule",
            ),
            *super().get_urls(),
        ]

    def has_schedule_permission(self, request, obj=None) -> bool:
        """Scheduling creates events and may publish them."""
        return request.user.has_perms(["events.add_event", "events.change_event"])

    def render_change_form(self, request, context, *args, **kwargs):
        context["may_schedule"] = self.has_schedule_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def schedule_view(self, request, object_id):
        """The change page's "Schedule the next dates…" button: the form, then the events."""
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        series = self.get_object(request, unquote(object_id))
        if series is None:
            raise Http404
        if not (
            self.has_view_or_change_permission(request, series)
            and self.has_schedule_permission(request)
        ):
            raise PermissionDenied

        # First how many dates and how (their preview below), then each date's own title,
        # speaker and summary, then "Create": nothing is saved before that last step.
        form = SeriesScheduleForm(request.POST if request.method == "POST" else None)
        count = form.cleaned_data["count"] if form.is_valid() else None
        if request.method != "POST":
            count = form.fields["count"].initial
        dates = None
        if count is not None:
            zone = series.group.zone
            starts = services.series_schedule_preview(series=series, count=count)
            speakers = list(Speaker.objects.order_by("name", "pk").values_list("pk", "name"))
            dates = ScheduledDatesFormSet(
                request.POST if "create" in request.POST else None,
                prefix="dates",
                initial=[
                    {"day": start.date(), "when": timefmt.format_start(start, zone)}
                    for start in starts
                ],
                form_kwargs={"speakers": speakers},
            )
            if dates.is_bound and dates.is_valid() and self._create(request, series, form, dates):
                changelist = reverse("admin:events_event_changelist")
                return redirect(f"{changelist}?series__id__exact={series.pk}")
        return self._schedule_page(request, form, [series], action=False, dates=dates)

    def _create(self, request, series, form, dates) -> bool:
        """The previewed dates, each with its own texts and guest speaker; False (the
        service's message on the form, nothing saved) when it refuses."""
        chosen = [row for row in dates.cleaned_data if row]
        speakers = Speaker.objects.in_bulk([row["speaker"] for row in chosen if row["speaker"]])
        details = {
            row["day"]: services.DateDetails(
                title=row["title"].strip(),
                summary=row["summary"].strip(),
                speaker=speakers.get(row["speaker"]),
            )
            for row in chosen
        }
        data = {**form.cleaned_data, "details": details}
        try:
            self._schedule(request, series, data, raise_errors=True)
        except ValidationError as error:
            form.add_error(None, error)
            return False
        return True

    @admin.action(description=_("Schedule the next dates…"), permissions=["schedule"])
    def schedule_next_dates(self, request, queryset):
        """An intermediate page asks how many dates and draft or published, then creates them."""

        form = SeriesScheduleForm(request.POST if "schedule" in request.POST else None)
        if form.is_valid():
            # Several series at once: each date "To be announced", filled in on its own page.
            for series in queryset.select_related("group"):
                self._schedule(request, series, {**form.cleaned_data, "details": {}})
            return None
        return self._schedule_page(request, form, list(queryset), action=True)

    def _schedule(self, request, series, data, *, raise_errors=False):
        try:
            created = services.series_schedule(
                series=series,
                count=data["count"],
                publish=data["publish"],
                by=request.user,
                details=data["details"],
            )
        except ValidationError as error:
            if raise_errors:
                raise
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        count = len(created)
        if not created:
            message = ngettext(
                "“%(series)s” already has an event on its next date: nothing new was created.",
                "“%(series)s” already has an event on each of its next %(dates)d dates: "
                "nothing new was created.",
                data["count"],
            ) % {"series": series.name, "dates": data["count"]}
            self.message_user(request, message, messages.WARNING)
            return
        if data["publish"]:
            message = ngettext(
                "Published %(count)d new date of “%(series)s”: %(when)s.",
                "Published %(count)d new dates of “%(series)s”: %(when)s.",
                count,
            )
        else:
            message = ngettext(
                "Created %(count)d draft of “%(series)s”: %(when)s. Check it, then publish it.",
                "Created %(count)d drafts of “%(series)s”: %(when)s. "
                "Check them, then publish them.",
                count,
            )
        zone = series.group.zone
        when = "; ".join(timefmt.format_start(event.starts_at, zone) for event in created)
        self.message_user(
            request,
            message % {"count": count, "series": series.name, "when": when},
            messages.SUCCESS,
        )

    def _schedule_page(self, request, form, series_list, *, action: bool, dates=None):
        from django.template.response import TemplateResponse

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "series_list": series_list,
            "action": action,
            "dates": dates,
            "title": _("Schedule the next dates"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/series/schedule.html", context)
