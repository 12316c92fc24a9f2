"""The log of every email sent, for organizers to read."""

from django.contrib import admin

from core.adminfilters import StrictFiltersMixin

from ..models import (
    EmailLog,
)


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
