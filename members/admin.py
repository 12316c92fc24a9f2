from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from groups.adminfilters import StrictFiltersMixin

from .models import User


@admin.register(User)
class UserAdmin(StrictFiltersMixin, BaseUserAdmin):
    ordering = ["display_name", "pk"]
    list_display = ["display_name", "email", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["display_name", "email"]
    date_hierarchy = "date_joined"
    fieldsets = [
        (None, {"fields": ["email", "display_name", "password"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]
