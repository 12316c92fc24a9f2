"""Events with their program and breakouts, publishing, duplicating, messaging."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from core.adminfilters import StrictFiltersMixin
from core.imagefiles import COVER, StoredImagesAdminMixin
from core.markdown import StoredMarkdownAdminMixin
from groups.admingroup import CurrentGroupAdminMixin
from groups.models import MembershipStatus

from .. import services, timefmt
from ..forms import ImportForm, OrganizerMessageForm
from ..importer import events_import_ics
from ..models import (
    RSVP,
    Event,
    upcoming_then_past_ordering,
)
from .common import TimeframeFilter
from .inlines import AgendaItemInline, BreakoutInline, EventSpeakerInline, has_ended
from .publishing import PublishingAdminMixin

# A datetime is one input (the browser's date and time picker, in the group's zone), not
# Django's split date and time with a "you are N hours ahead" note under each.
DATETIME_LOCAL = {
    "form_class": forms.DateTimeField,
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
}
# The Spanish columns, behind the "Translation" switch.
SPANISH = ["title_es", "summary_es", "description_es"]


@admin.register(Event)
class EventAdmin(
    PublishingAdminMixin,
    StrictFiltersMixin,
    CurrentGroupAdminMixin,
    StoredImagesAdminMixin,
    StoredMarkdownAdminMixin,  # the breakouts' notes; the event itself goes through event_save
    TranslationAdmin,  # title, summary and description in English and Spanish, side by side
):
    image_shapes = {"cover_image": COVER}
    image_urls = {"cover_image": "cover_jpeg_url"}
    list_display = [
        "title",
        "local_start",
        "status",
        "venue",
        "series",
        "going",
        "waitlisted",
        "checked_in",
    ]
    list_filter = ["status", "series", TimeframeFilter]
    list_select_related = ["venue", "series", "group"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["hosts"]
    formfield_overrides = {models.DateTimeField: DATETIME_LOCAL}
    readonly_fields = [
        "status",
        "attendance",
        "follow_up",
        "sequence",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    inlines = [EventSpeakerInline, AgendaItemInline, BreakoutInline]
    # "publish" and "cancel" ask first, naming who will be told (PublishingAdminMixin).
    actions = ["publish", "cancel", "duplicate_to_next_date", "message_going"]
    # In the order an organizer thinks: what, when, where, who; the speakers, program and
    # breakouts inlines follow (BEFORE_INLINES), then the RSVP settings and the translation.
    fieldsets = [
        (
            _("What"),
            {
                "fields": [
                    "group",
                    ("title_en", "slug"),
                    ("series", "status"),
                    "summary_en",
                    "description_en",
                    "cover_image",
                ]
            },
        ),
        (_("When"), {"fields": [("starts_at", "ends_at")]}),
        (
            _("Where"),
            {"fields": [("venue", "is_online", "online_url"), "address_for_attendees_only"]},
        ),
        (
            _("Who"),
            {
                "fields": ["hosts"],
                "description": _(
                    "Hosts are members who run the evening. Guests, moderators and "
                    "facilitators go under “Speakers” below."
                ),
            },
        ),
        (
            _("RSVP settings"),
            {
                "fields": [
                    "attendance",
                    ("capacity", "max_guests", "rsvp_opens_at", "rsvp_closes_at"),
                    "rsvp_question",
                    "comments_public",
                ]
            },
        ),
        (
            _("Translation (Spanish)"),
            {"fields": SPANISH, "classes": ["collapse"]},
        ),
        (_("After the event"), {"fields": ["follow_up"]}),
        (
            _("Record"),
            {
                "fields": ["sequence", "created_at", "created_by", "updated_at", "updated_by"],
                "classes": ["collapse"],
            },
        ),
    ]
    BEFORE_INLINES = 4  # What, When, Where, Who
    RSVP_SETTINGS = 4
    TRANSLATION = 5  # collapsed until a Spanish text exists
    AFTER_THE_EVENT = 6  # collapsed until the event has ended

    change_list_template = "admin/events/event/change_list.html"

    change_form_template = "admin/events/event/change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}  # object tools as buttons, compact rows
        js = ["js/admin-labels.js", "js/admin-rows.js"]  # search boxes' names, moving rows

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:  # nobody is going to a new event yet
            name, options = fieldsets[self.RSVP_SETTINGS]
            fields = [f for f in options["fields"] if f != "attendance"]
            fieldsets[self.RSVP_SETTINGS] = (name, {**options, "fields": fields})
        if not has_ended(obj):
            name, options = fieldsets[self.AFTER_THE_EVENT]
            fieldsets[self.AFTER_THE_EVENT] = (name, {**options, "classes": ["collapse"]})
        if obj is not None and any(getattr(obj, field) for field in SPANISH):
            name, options = fieldsets[self.TRANSLATION]
            fieldsets[self.TRANSLATION] = (name, {**options, "classes": ["collapse", "open"]})
        return fieldsets

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["fieldsets_before_inlines"] = self.BEFORE_INLINES
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """A shorter box for the description; what an empty venue means."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.startswith("description"):
            field.widget.attrs["rows"] = 4
        if field is not None and db_field.name == "venue":
            field.help_text = _("Left empty on an evening of a series: the series’ usual venue.")
        return field

    def get_queryset(self, request):
        # Subquery counts in the SELECT list: computed for the page's rows only.
        return super().get_queryset(request).with_rsvp_counts()

    def get_object(self, request, object_id, from_field=None):
        """The event with `ended_as_stored` (whether it had ended before this request changed
        anything; has_ended), read in the same query."""
        queryset = self.get_queryset(request).annotate(
            ended_as_stored=Exists(Event.objects.filter(pk=OuterRef("pk")).past())
        )
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Event.DoesNotExist, ValidationError, ValueError):
            return None

    def get_ordering(self, request):
        """Upcoming soonest first, then past most recent first (EventQuerySet's rule)."""
        return upcoming_then_past_ordering()

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="events_event_import",
            ),
            path(
                "<path:object_id>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="events_event_duplicate",
            ),
            *super().get_urls(),
        ]

    def duplicate_view(self, request, object_id):
        """The change page's "Duplicate" button: a draft on the next date, then its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        event = self.get_object(request, unquote(object_id))
        if event is None:
            raise Http404
        if not (
            self.has_add_permission(request) and self.has_view_or_change_permission(request, event)
        ):
            raise PermissionDenied
        copy = services.event_duplicate_to_next(event=event, by=request.user)
        self.message_user(
            request,
            _("Created the draft “%(title)s” on %(when)s. Check it, then publish it.")
            % {
                "title": copy.title,
                "when": timefmt.format_start(copy.starts_at, copy.group.zone),
            },
            messages.SUCCESS,
        )
        return redirect("admin:events_event_change", copy.pk)

    def import_view(self, request):
        """ "Import from Meetup" (or any calendar): upload the .ics or give its address, see what
        would be created and updated, then confirm. The file waits in the cache between the
        two steps, under a random token, for an hour."""
        from django.template.response import TemplateResponse

        from groups.models import Group

        from ..importer import events_import_preview, pending_load, pending_store

        if not self.has_add_permission(request):
            raise PermissionDenied
        group = Group.objects.current()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import events from Meetup or another calendar"),
        }
        if request.method == "POST" and "token" in request.POST:
            data = pending_load(request.POST["token"], user=request.user)
            if data is None:
                self.message_user(
                    request, _("That preview expired; please start again."), messages.ERROR
                )
                return redirect("admin:events_event_import")
            try:
                result = events_import_ics(data=data, group=group, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect("admin:events_event_import")
            self.message_user(request, _("Import done: %s.") % result.summary())
            return redirect("admin:events_event_changelist")
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        if form.is_bound and form.is_valid():
            try:
                planned = events_import_preview(data=form.cleaned_data["data"], group=group)
            except ValidationError as error:
                form.add_error("file" if form.cleaned_data.get("file") else "url", error)
            else:
                context |= {
                    "planned": planned,
                    "zone": group.zone,
                    "token": pending_store(form.cleaned_data["data"], user=request.user),
                    "counts": {
                        action: sum(1 for row in planned if row.action == action)
                        for action in ("create", "update", "unchanged")
                    },
                }
                return TemplateResponse(request, "admin/events/event/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/events/event/import.html", context)

    @admin.display(description=_("starts (group time)"), ordering="starts_at")
    def local_start(self, obj):
        return timefmt.format_start(obj.starts_at, obj.group.zone)

    @admin.display(description=_("going"), ordering="going_count")
    def going(self, obj):
        return obj.going_count

    @admin.display(description=_("waitlist"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return obj.waitlisted_count

    @admin.display(description=_("checked in"), ordering="checked_in_count")
    def checked_in(self, obj):
        return obj.checked_in_count

    @admin.display(description=_("follow-up"))
    def follow_up(self, obj):
        """What is left to do once the event is over: check-ins and the breakouts' notes."""
        if obj.pk is None:
            return "-"
        notes = obj.breakouts.aggregate(
            total=Count("pk"),
            written=Count("pk", filter=~Q(notes="")),
            published=Count("pk", filter=Q(notes_published=True)),
        )
        url = reverse("admin:events_rsvp_changelist") + f"?event={obj.pk}"
        return format_html(
            '<a href="{}">{}</a><br>{}',
            url,
            _("Mark who came (check-ins)"),
            _(
                "Breakout notes: %(written)d of %(total)d written, %(published)d published. "
                "Write them under “Breakout discussions” below."
            )
            % notes,
        )

    @admin.display(description=_("attendance"))
    def attendance(self, obj):
        if obj.pk is None:
            return "-"
        stats = RSVP.objects.filter(event=obj).stats()
        url = reverse("admin:events_rsvp_changelist") + f"?event={obj.pk}"
        return format_html(
            '<a href="{}">{}</a>',
            url,
            _("%(going)s (%(seats)s), %(waitlisted)s, %(checked_in)s")
            % {
                "going": ngettext("%(count)d going", "%(count)d going", stats["going"])
                % {"count": stats["going"]},
                "seats": ngettext("%(count)d seat", "%(count)d seats", stats["seats_taken"])
                % {"count": stats["seats_taken"]},
                "waitlisted": ngettext(
                    "%(count)d waitlisted", "%(count)d waitlisted", stats["waitlisted"]
                )
                % {"count": stats["waitlisted"]},
                "checked_in": ngettext(
                    "%(count)d checked in", "%(count)d checked in", stats["checked_in"]
                )
                % {"count": stats["checked_in"]},
            },
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Hosts are chosen among the group's current members (event_set_hosts' rule)."""
        if db_field.name == "hosts":
            group = request.group  # read once per request by the group middleware
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(
                    memberships__group=group, memberships__status=MembershipStatus.ACTIVE
                )
                .order_by("display_name", "pk")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        capacity_changed = change and "capacity" in form.changed_data
        if not change and obj.venue_id is None and not obj.is_online and obj.series_id:
            # A new evening of a series with no venue chosen: the series' usual one (as its
            # scheduled and duplicated dates get it).
            obj.venue_id = obj.series.default_venue_id
        services.event_save(
            event=obj,
            by=request.user,
            changed_fields=[f for f in form.changed_data if f != "capacity"],
        )
        # Capacity goes through its service so that a raise promotes the waitlist.
        if capacity_changed:
            services.event_set_capacity(event=obj, capacity=obj.capacity, by=request.user)

    @admin.action(description=_("Send a message to the people going"))
    def message_going(self, request, queryset):
        """An intermediate page asks for the subject and body, then queues the emails."""
        from django.template.response import TemplateResponse

        form = OrganizerMessageForm(request.POST if "send" in request.POST else None)
        if form.is_valid():
            for event in queryset.select_related("group"):
                count = services.event_message(
                    event=event,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    by=request.user,
                )
                self.message_user(
                    request,
                    ngettext(
                        "Message to %(count)d member going to “%(title)s” queued.",
                        "Message to %(count)d members going to “%(title)s” queued.",
                        count,
                    )
                    % {"count": count, "title": event.title},
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "events": queryset,
            "title": _("Message the people going"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/message.html", context)

    @admin.action(description=_("Duplicate into the next date, as a draft"))
    def duplicate_to_next_date(self, request, queryset):
        for event in queryset.select_related("series", "group", "venue"):
            copy = services.event_duplicate_to_next(event=event, by=request.user)
            self.message_user(
                request,
                _("Created the draft “%(title)s” on %(when)s.")
                % {
                    "title": copy.title,
                    "when": timefmt.format_start(copy.starts_at, copy.group.zone),
                },
            )
