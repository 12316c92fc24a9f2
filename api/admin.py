"""Organizers register webhooks and read every delivery (README "Webhooks")."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Webhook, WebhookChange, WebhookDelivery


class WebhookForm(forms.ModelForm):
    changes = forms.MultipleChoiceField(
        label=_("sent on"),
        choices=WebhookChange.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The changes this address is told of."),
    )

    class Meta:
        model = Webhook
        fields = ["url", "description", "changes", "active"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "description", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "created_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        # The secret exists once the webhook is saved: shown from then on.
        return self.readonly_fields if obj is not None else ["created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The log of deliveries: read-only; failed ones can be tried again."""

    list_display = [
        "occurred_at",
        "webhook",
        "change",
        "event",
        "state",
        "attempts",
        "last_status",
        "next_try_at",
        "delivered_at",
    ]
    list_filter = ["state", "change", "webhook"]
    list_select_related = ["webhook", "event"]
    date_hierarchy = "occurred_at"
    actions = ["try_again"]
    readonly_fields = [
        "webhook",
        "change",
        "event",
        "occurred_at",
        "state",
        "attempts",
        "next_try_at",
        "last_status",
        "last_error",
        "delivered_at",
        "body",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try again now"), permissions=["view"])
    def try_again(self, request, queryset):
        count = services.deliveries_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(counter)s delivery will be tried again.",
                "%(counter)s deliveries will be tried again.",
                count,
            )
            % {"counter": count},
            messages.SUCCESS,
        )
