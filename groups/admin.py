from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from events.admin import CalendarChangeMixin

from . import services
from .models import Group, Membership, ResourceLink, SocialLink


class ResourceLinkInline(admin.TabularInline):
    model = ResourceLink
    extra = 0


class SocialLinkInline(admin.TabularInline):
    model = SocialLink
    extra = 0


@admin.register(Group)
class GroupAdmin(CalendarChangeMixin, admin.ModelAdmin):
    list_display = ["name", "city", "time_zone"]
    search_fields = ["name", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ResourceLinkInline, SocialLinkInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles change here; the "Organizers" permission group and staff status follow them."""

    list_display = ["user", "group", "role", "joined_at"]
    list_filter = ["role", "group"]
    search_fields = ["user__display_name", "user__email"]
    autocomplete_fields = ["user"]
    date_hierarchy = "joined_at"

    def save_model(self, request, obj, form, change):
        role = obj.role
        if change:
            obj.role = Membership.objects.get(pk=obj.pk).role
        super().save_model(request, obj, form, change)
        try:
            services.membership_set_role(membership=obj, role=role)
        except ValidationError as refused:
            self.message_user(request, refused.messages[0], messages.ERROR)

    def delete_model(self, request, obj):
        try:
            services.membership_leave(group=obj.group, user=obj.user)
        except ValidationError as refused:
            self.message_user(request, refused.messages[0], messages.ERROR)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("group", "user"):
            self.delete_model(request, membership)
