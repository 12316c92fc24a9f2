from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.utils.translation import gettext_lazy as _

from core.adminfilters import StrictFiltersMixin
from groups.models import MembershipStatus

from .models import User


class PasswordHashWidget(ReadOnlyPasswordHashWidget):
    """Django's widget, with the link its template expects given explicitly.

    Our form renderer renders widgets with the project's template engine, where an undefined
    variable is an error in the tests; Django's template only falls back to "../password/".
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context.setdefault("password_url", "../password/")
        return context


class AccountChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None:
            widget = PasswordHashWidget(attrs=password.widget.attrs)
            widget.is_required = password.widget.is_required
            password.widget = widget


@admin.register(User)
class UserAdmin(StrictFiltersMixin, BaseUserAdmin):
    form = AccountChangeForm
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
    # The search boxes that choose an event's hosts or a breakout's facilitator offer the
    # group's members only (the event form accepts no one else).
    MEMBERS_ONLY = {("events", "event", "hosts"), ("events", "breakout", "facilitator")}

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        asked = tuple(request.GET.get(key) for key in ("app_label", "model_name", "field_name"))
        if asked in self.MEMBERS_ONLY and getattr(request, "group", None) is not None:
            queryset = queryset.filter(
                memberships__group=request.group, memberships__status=MembershipStatus.ACTIVE
            )
        return queryset, may_have_duplicates

    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]
