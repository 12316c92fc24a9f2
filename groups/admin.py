from django.contrib import admin

from events.admin import CalendarChangeMixin

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
    list_display = ["user", "group", "role", "joined_at"]
    list_filter = ["role", "group"]
    search_fields = ["user__display_name", "user__email"]
    autocomplete_fields = ["user"]
    date_hierarchy = "joined_at"
