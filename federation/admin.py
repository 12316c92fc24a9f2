from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import signatures
from .delivery import delivery_retry_now
from .models import Actor, BlockedDomain, Delivery, Follower, Following, RemoteReply
from .replies import replies_decide
from .services import FollowError, follow_send, follow_undo


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["group", "enabled", "replies", "created_at"]
    fields = ["group", "enabled", "replies"]

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


class FollowingForm(forms.ModelForm):
    """Add by address: the service fetches the actor and queues the Follow when the form is
    valid; its row is the form's instance."""

    address = forms.CharField(
        label=_("address"),
        max_length=500,
        help_text=_("The account to follow: name@example.org or its actor URL."),
    )

    class Meta:
        model = Following
        fields = ["group"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = follow_send(group=cleaned["group"], target=cleaned["address"])
        except FollowError as error:
            raise ValidationError(str(error)) from error
        return cleaned


@admin.register(Following)
class FollowingAdmin(admin.ModelAdmin):
    """Whom the group follows and what each answered; deleting one sends an Undo."""

    list_display = ["actor", "group", "state", "created_at", "answered_at"]
    list_filter = ["state"]
    list_select_related = ["actor", "group"]
    search_fields = ["actor__uri", "actor__domain"]
    readonly_fields = ["group", "actor", "follow_id", "state", "created_at", "answered_at"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = FollowingForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["group", "address"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        pass  # follow_send saved the row when the form was cleaned

    def delete_model(self, request, obj):
        follow_undo(following=obj)

    def delete_queryset(self, request, queryset):
        for following in queryset.select_related("group", "actor"):
            follow_undo(following=following)


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


@admin.register(RemoteReply)
class RemoteReplyAdmin(admin.ModelAdmin):
    """The queue of replies written on other servers: approve shows one on the event page."""

    list_display = ["author_name", "event", "excerpt", "published_at", "state"]
    list_filter = ["state"]
    list_select_related = ["event"]
    search_fields = ["author_name", "actor_uri", "event__title"]
    readonly_fields = [
        "event", "author_name", "actor_uri", "profile_url", "note_id", "shown_text",
        "published_at", "received_at", "state", "decided_at",
    ]  # fmt: skip
    exclude = ["content_html"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        group = getattr(request, "group", None)
        return queryset.filter(event__group=group) if group is not None else queryset

    def has_add_permission(self, request):
        return False  # they come from the fediverse

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return Truncator(strip_tags(obj.content_html)).chars(80)

    @admin.display(description=_("text"))
    def shown_text(self, obj):
        return mark_safe(obj.content_html)  # noqa: S308 - sanitized by nh3 when received

    @admin.action(description=_("Approve: show on the event page"), permissions=["change"])
    def approve(self, request, queryset):
        count = replies_decide(replies=queryset, approve=True)
        self.message_user(
            request,
            ngettext("%(count)s reply approved.", "%(count)s replies approved.", count)
            % {"count": count},
        )

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject(self, request, queryset):
        count = replies_decide(replies=queryset, approve=False)
        self.message_user(
            request,
            ngettext("%(count)s reply rejected.", "%(count)s replies rejected.", count)
            % {"count": count},
        )
