"""Events with their program and breakouts, publishing, duplicating, messaging."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

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
    AgendaItem,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    upcoming_then_past_ordering,
)
from .common import TimeframeFilter


# The event page's inlines are stacked and use plain selects: Django's tabular inline leaves
# its fields without labels (columns only) and the select2 autocomplete widget leaves an empty
# combobox without a name, both reported by axe-core (tests/events/test_admin_browser.py).
class EventSpeakerInline(admin.StackedInline):
    model = EventSpeaker
    extra = 0


class AgendaItemInline(TranslationStackedInline):
    model = AgendaItem
    extra = 0
    # English and Spanish side by side, as on the event itself.
    fields = [
        "time",
        ("title_en", "title_es"),
        "kind",
        ("description_en", "description_es"),
        "order",
    ]


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
    between building the inline formsets and showing them): read with the event itself
    (EventAdmin.get_object), by the same rule as Event.objects.past()."""
    if event is None or event.pk is None:
        return False
    ended = getattr(event, "ended_as_stored", None)
    if ended is None:  # an event that did not come from EventAdmin.get_object
        ended = event.ended_as_stored = Event.objects.filter(pk=event.pk).past().exists()
    return ended


@admin.register(Event)
class EventAdmin(
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

    def get_object(self, request, object_id, from_field=None):
        """The event with `ended_as_stored` (whether it had ended before this request changed
        anything; _has_ended), read in the same query."""
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
        """Upload another calendar's .ics export; the result is shown as a message."""
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        from groups.models import Group

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
