"""RSVPs: the door list, filtered by event, exported as CSV."""

import csv

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminfilters import StrictFiltersMixin, parse_id

from .. import services
from ..models import (
    RSVP,
    Event,
    RSVPStatus,
)


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
            [
                _("Name"),
                _("Email"),
                _("Event"),
                _("Status"),
                _("Guests"),
                _("Answer"),
                _("Breakout"),
                _("RSVP time"),
                _("Checked in"),
            ]
        )
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
            event = services.rsvp_promote(rsvp=rsvp, by=request.user)
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
