import csv

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from groups.adminfilters import StrictFiltersMixin, parse_id
from groups.admingroup import CurrentGroupAdminMixin
from groups.imagefiles import COVER, PORTRAIT, StoredImagesAdminMixin
from groups.markdown import StoredMarkdownAdminMixin
from groups.models import MembershipStatus

from . import services, timefmt
from .calendar_cache import calendar_changed
from .models import (
    RSVP,
    AgendaItem,
    Breakout,
    EmailLog,
    Event,
    EventSpeaker,
    EventStatus,
    RSVPStatus,
    Series,
    Speaker,
    SpeakerLink,
    Venue,
    upcoming_then_past_ordering,
)


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


# The event page's inlines are stacked and use plain selects: Django's tabular inline leaves
# its fields without labels (columns only) and the select2 autocomplete widget leaves an empty
# combobox without a name, both reported by axe-core (tests/events/test_admin_browser.py).
class EventSpeakerInline(admin.StackedInline):
    model = EventSpeaker
    extra = 0


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0


class BreakoutInline(TranslationStackedInline):
    model = Breakout
    extra = 0
    NOTES_FIELDS = ("notes", "notes_published")

    def get_exclude(self, request, obj=None):
        """The notes (what the discussion came to) only once the event (obj) has ended."""
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if _has_ended(request, obj) else [*exclude, *self.NOTES_FIELDS]


def _has_ended(request, event) -> bool:
    """Whether the stored event has ended (a form being posted changes the instance's dates
    between building the inline formsets and showing them); asked once per request."""
    if event is None or event.pk is None:
        return False
    cached = getattr(request, "_potluck_event_ended", None)
    if cached is None or cached[0] != event.pk:
        cached = (event.pk, Event.objects.filter(pk=event.pk).past().exists())
        request._potluck_event_ended = cached
    return cached[1]


@admin.register(Event)
class EventAdmin(
    StrictFiltersMixin,
    CurrentGroupAdminMixin,
    StoredImagesAdminMixin,
    StoredMarkdownAdminMixin,  # the breakouts' notes; the event itself goes through event_save
    CalendarChangeMixin,
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
    readonly_fields = [
        "attendance",
        "follow_up",
        "sequence",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    inlines = [EventSpeakerInline, AgendaItemInline, BreakoutInline]
    actions = ["publish", "cancel", "duplicate_to_next_date", "message_going"]
    # In the order an organizer works; the speakers, program and breakouts inlines follow.
    fieldsets = [
        (
            _("What and when"),
            {
                "fields": [
                    "group",
                    ("title_en", "title_es"),
                    "slug",
                    "series",
                    ("summary_en", "summary_es"),
                    ("description_en", "description_es"),
                    "starts_at",
                    "ends_at",
                    "status",
                ]
            },
        ),
        (
            _("Where"),
            {"fields": ["venue", "is_online", "online_url", "address_for_attendees_only"]},
        ),
        (
            _("People"),
            {
                "fields": ["hosts", "cover_image"],
                "description": _(
                    "Guests, moderators and facilitators go under “Event speakers” below."
                ),
            },
        ),
        (
            _("RSVP settings"),
            {
                "fields": [
                    "attendance",
                    "capacity",
                    "max_guests",
                    "rsvp_question",
                    "rsvp_opens_at",
                    "rsvp_closes_at",
                    "comments_public",
                ]
            },
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
    AFTER_THE_EVENT = 4  # the fieldset that stays collapsed until the event has ended

    change_list_template = "admin/events/event/change_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}  # the change page's "Duplicate" button

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if not _has_ended(request, obj):
            name, options = fieldsets[self.AFTER_THE_EVENT]
            fieldsets[self.AFTER_THE_EVENT] = (name, {**options, "classes": ["collapse"]})
        return fieldsets

    def get_queryset(self, request):
        # Subquery counts in the SELECT list: computed for the page's rows only.
        return super().get_queryset(request).with_rsvp_counts()

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
        """Upload another calendar's .ics export; the result is shown as a message."""
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        from groups.models import Group

        from .forms import ImportForm
        from .importer import events_import_ics

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            group = Group.objects.current()
            try:
                result = events_import_ics(
                    data=form.cleaned_data["data"], group=group, by=request.user
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                self.message_user(request, _("Import done: %s.") % result.summary())
                return redirect("admin:events_event_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import events from a calendar file"),
        }
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
            _(
                "%(going)d going (%(seats)d seats), %(waitlisted)d waitlisted, "
                "%(checked_in)d checked in"
            )
            % {
                "going": stats["going"],
                "seats": stats["seats_taken"],
                "waitlisted": stats["waitlisted"],
                "checked_in": stats["checked_in"],
            },
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Hosts are chosen among the group's current members (event_set_hosts' rule)."""
        if db_field.name == "hosts":
            group = request._potluck_group  # read once per request by the group middleware
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
        services.event_save(
            event=obj,
            by=request.user,
            changed_fields=[f for f in form.changed_data if f != "capacity"],
        )
        # Capacity goes through its service so that a raise promotes the waitlist.
        if capacity_changed:
            services.event_set_capacity(event=obj, capacity=obj.capacity)

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

    @admin.action(description=_("Send a message to the people going"))
    def message_going(self, request, queryset):
        """An intermediate page asks for the subject and body, then queues the emails."""
        from django.template.response import TemplateResponse

        from .forms import OrganizerMessageForm

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


@admin.register(Venue)
class VenueAdmin(CalendarChangeMixin, admin.ModelAdmin):
    list_display = ["name", "address", "city"]
    search_fields = ["name", "address", "city"]

    def save_model(self, request, obj, form, change):
        services.venue_save(venue=obj, changed_fields=form.changed_data if change else ())


class SpeakerLinkInline(admin.TabularInline):
    model = SpeakerLink
    extra = 0


@admin.register(Speaker)
class SpeakerAdmin(
    StoredImagesAdminMixin, StoredMarkdownAdminMixin, CalendarChangeMixin, TranslationAdmin
):
    image_shapes = {"photo": PORTRAIT}
    image_urls = {"photo": "photo_jpeg_url"}
    list_display = ["name", "affiliation", "member"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["member"]
    inlines = [SpeakerLinkInline]


@admin.register(Series)
class SeriesAdmin(
    CurrentGroupAdminMixin, StoredMarkdownAdminMixin, CalendarChangeMixin, admin.ModelAdmin
):
    list_display = ["name", "cadence", "recurrence", "default_venue"]
    search_fields = ["name"]
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
        from .forms import SeriesScheduleForm

        form = SeriesScheduleForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            self._schedule(request, series, form.cleaned_data)
            changelist = reverse("admin:events_event_changelist")
            return redirect(f"{changelist}?series__id__exact={series.pk}")
        return self._schedule_page(request, form, [series], action=False)

    @admin.action(description=_("Schedule the next dates…"), permissions=["schedule"])
    def schedule_next_dates(self, request, queryset):
        """An intermediate page asks how many dates and draft or published, then creates them."""
        from .forms import SeriesScheduleForm

        form = SeriesScheduleForm(request.POST if "schedule" in request.POST else None)
        if form.is_valid():
            for series in queryset.select_related("group"):
                self._schedule(request, series, form.cleaned_data)
            return None
        return self._schedule_page(request, form, list(queryset), action=True)

    def _schedule(self, request, series, data):
        try:
            created = services.series_schedule(
                series=series, count=data["count"], publish=data["publish"], by=request.user
            )
        except ValidationError as error:
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

    def _schedule_page(self, request, form, series_list, *, action: bool):
        from django.template.response import TemplateResponse

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "series_list": series_list,
            "action": action,
            "title": _("Schedule the next dates"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/series/schedule.html", context)


class RSVPEventFilter(admin.SimpleListFilter):
    """One event's RSVPs; lists the upcoming and most recent events only."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        upcoming = list(Event.objects.upcoming()[:10])
        recent = list(Event.objects.past()[:10])
        return [(str(e.pk), e.title) for e in upcoming + recent]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(event_id=parse_id(self.value()))
        return queryset


@admin.register(RSVP)
class RSVPAdmin(StrictFiltersMixin, admin.ModelAdmin):
    list_display = [
        "member",
        "event",
        "status",
        "guests",
        "waitlist_seq",
        "breakout",
        "checked_in_at",
        "created_at",
    ]
    list_filter = ["status", RSVPEventFilter]
    list_select_related = ["member", "event", "breakout"]
    search_fields = ["member__display_name", "member__email", "event__title"]
    autocomplete_fields = ["member", "event"]
    readonly_fields = ["waitlist_seq", "waitlisted_at", "created_at", "updated_at"]
    ordering = ["event", "status", "waitlist_seq", "created_at"]
    actions = ["export_csv", "promote", "mark_attended", "clear_attendance"]

    def has_add_permission(self, request):
        # Seats are counted by the RSVP services; organizers manage existing RSVPs here.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Status and guests change through the actions, which keep the seat rules.
        return [*self.readonly_fields, "event", "member", "status", "guests"]

    @admin.action(description=_("Download attendee list (CSV)"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="attendees-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [_("Name"), _("Email"), _("Event"), _("Status"), _("Guests"), _("Answer"),
             _("Breakout"), _("RSVP time"), _("Checked in")]
        )  # fmt: skip
        for rsvp in queryset.select_related("member", "event", "breakout").order_by(
            "event__starts_at", F("member__display_name").asc(nulls_last=True), "pk"
        ):
            # A member who deleted their account stays in past attendance, anonymously.
            member = rsvp.member
            writer.writerow(
                [
                    _csv_safe(member.display_name if member else str(_("a former member"))),
                    member.email if member else "",
                    _csv_safe(rsvp.event.title),
                    rsvp.get_status_display(),
                    rsvp.guests,
                    _csv_safe(rsvp.answer),
                    _csv_safe(rsvp.breakout.topic if rsvp.breakout else ""),
                    rsvp.created_at.isoformat(),
                    rsvp.checked_in_at.isoformat() if rsvp.checked_in_at else "",
                ]
            )
        return response

    @admin.action(description=_("Promote from the waitlist (adds seats if needed)"))
    def promote(self, request, queryset):
        for rsvp in queryset.filter(status=RSVPStatus.WAITLISTED).order_by("waitlist_seq"):
            event = services.rsvp_promote(rsvp=rsvp)
            self.message_user(
                request,
                _("%(member)s is going now; capacity is %(capacity)s.")
                % {"member": _who(rsvp), "capacity": event.capacity or _("unlimited")},
            )

    @admin.action(description=_("Mark as attended (checked in)"))
    def mark_attended(self, request, queryset):
        self._set_checked_in(request, queryset, True)

    @admin.action(description=_("Clear attendance"))
    def clear_attendance(self, request, queryset):
        self._set_checked_in(request, queryset, False)

    def _set_checked_in(self, request, queryset, checked_in):
        done = 0
        for rsvp in queryset:
            try:
                services.rsvp_set_checked_in(rsvp=rsvp, checked_in=checked_in)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{_who(rsvp)}: {error.messages[0]}", messages.WARNING)
        self.message_user(request, ngettext("%d RSVP updated.", "%d RSVPs updated.", done) % done)


def _who(rsvp) -> str:
    """The member's name, or "a former member" once the account is deleted (never "None")."""
    return rsvp.member.display_name if rsvp.member else str(_("a former member"))


def _csv_safe(value: str) -> str:
    """Keeps spreadsheet programs from running member-written text as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@admin.register(EmailLog)
class EmailLogAdmin(StrictFiltersMixin, admin.ModelAdmin):
    """Every email sent or failed: who, what, about which event, when."""

    list_display = ["sent_at", "kind", "address", "event", "outcome", "error"]
    list_filter = ["outcome", "kind"]
    list_select_related = ["event"]
    search_fields = ["address", "event__title"]
    date_hierarchy = "sent_at"
    readonly_fields = [f.name for f in EmailLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
