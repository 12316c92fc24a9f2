"""The email log for organizers: every email queued, sent or failed, and a retry for failures."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .adminfilters import StrictFiltersMixin
from .emails.kinds import kinds
from .emails.outbox import emails_retry
from .models import Email


class KindFilter(admin.SimpleListFilter):
    """The kinds the apps registered, by their labels (the column itself is plain text)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(kinds.labels(), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Email)
class EmailAdmin(StrictFiltersMixin, admin.ModelAdmin):
    """What went out, what waits and what failed: who, which kind, when, and the error."""

    list_display = [
        "created_at",
        "kind_label",
        "address",
        "subject",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", KindFilter]
    search_fields = ["address", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = [
        "kind_label",
        "recipient",
        "address",
        "language",
        "subject",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "claimed_by",
        "message_id",
        "params",
    ]
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, email):
        kind = kinds.get(email.kind)
        return kind.label if kind is not None else email.kind

    @admin.action(
        description=_("Try sending the selected failed emails again"), permissions=["retry"]
    )
    def retry(self, request, queryset):
        count = emails_retry(emails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_retry_permission(self, request):
        """Whoever reads the log (organizers and co-organizers) may send a failure again."""
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The bodies of a queued message (a reset link, a code) are never loaded here.
        return super().get_queryset(request).defer("text", "html", "headers")
