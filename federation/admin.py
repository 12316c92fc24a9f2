from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import signatures
from .delivery import delivery_retry_now
from .models import Actor, BlockedDomain, Delivery, Follower


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["group", "enabled", "created_at"]
    fields = ["group", "enabled"]

    def get_readonly_fields(self, request, obj=None):
        return ["group"] if obj else []

    def save_model(self, request, obj, form, change):
        if not obj.private_key_pem:  # the key pair is made once, when the row is
            obj.private_key_pem, obj.public_key_pem = signatures.key_pair()
        super().save_model(request, obj, form, change)


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["actor", "group", "created_at"]
    list_select_related = ["actor", "group"]
    search_fields = ["actor__uri", "actor__domain"]
    readonly_fields = ["group", "actor", "follow_id", "created_at"]

    def has_add_permission(self, request):
        return False  # people follow from their own server


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "reason", "created_at"]
    search_fields = ["domain"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "inbox", "state", "attempts", "next_try_at", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["inbox"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "group", "inbox", "kind", "activity", "state", "attempts", "next_try_at",
        "last_error", "created_at", "sent_at",
    ]  # fmt: skip
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Try again now"), permissions=["change"])
    def retry(self, request, queryset):
        count = delivery_retry_now(deliveries=queryset)
        self.message_user(
            request,
            ngettext("%(count)s delivery queued.", "%(count)s deliveries queued.", count)
            % {"count": count},
        )
