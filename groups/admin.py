from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .access import viewer_for
from .adminfilters import StrictFiltersMixin
from .admingroup import CurrentGroupAdminMixin
from .hooks import group_changed
from .imagefiles import COVER, StoredImagesAdminMixin
from .markdown import StoredMarkdownAdminMixin
from .models import ORGANIZER_ROLES, Group, Membership, ResourceLink, SocialLink


class GroupChangeMixin:
    """Edits of the group tell the apps above once saved (events refreshes its feeds)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        group_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        group_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        group_changed()


class LeadOrganizerOnlyMixin:
    """Organizers (the organizer role) change this; co-organizers may only look.

    Roles and the group's settings are the lead organizer's to change (groups/access.py).
    """

    def _is_lead(self, request) -> bool:
        return viewer_for(request.user, Group.objects.current()).is_lead_organizer

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._is_lead(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._is_lead(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._is_lead(request)


class LeadOrganizerInline(LeadOrganizerOnlyMixin, admin.StackedInline):
    """Stacked: each field labelled (Django's tabular inline has column headings only)."""

    extra = 0


class ResourceLinkInline(LeadOrganizerInline):
    model = ResourceLink


class SocialLinkInline(LeadOrganizerInline):
    model = SocialLink


@admin.register(Group)
class GroupAdmin(
    LeadOrganizerOnlyMixin,
    StoredImagesAdminMixin,
    StoredMarkdownAdminMixin,
    GroupChangeMixin,
    admin.ModelAdmin,
):
    """One group per installation: nobody adds a second one or deletes it here.

    Deleting the group (and everything in it) is `manage.py delete_group`, for superusers.
    """

    image_shapes = {"cover_image": COVER}
    list_display = ["name", "city", "time_zone"]
    search_fields = ["name", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ResourceLinkInline, SocialLinkInline]

    def has_add_permission(self, request):
        return request.user.is_superuser and not Group.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["group", "user", "role"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        before = Membership.objects.get(pk=self.instance.pk)
        moved = cleaned.get("user") is not None and cleaned["user"].pk != before.user_id
        demoted = cleaned.get("role") not in ORGANIZER_ROLES
        if (
            before.role in ORGANIZER_ROLES
            and (moved or demoted)
            and services.is_last_organizer(before)
        ):
            self.add_error(
                "user" if moved else "role",
                _(
                    "This is the group's last organizer. Make another member an organizer "
                    "first, so the group is never left without one."
                ),
            )
        return cleaned


@admin.register(Membership)
class MembershipAdmin(
    StrictFiltersMixin, CurrentGroupAdminMixin, LeadOrganizerOnlyMixin, admin.ModelAdmin
):
    """Roles change here; the "Organizers" permission group and staff status follow them."""

    form = MembershipForm

    list_display = ["user", "group", "role", "joined_at"]
    list_filter = ["role", "group"]
    search_fields = ["user__display_name", "user__email"]
    autocomplete_fields = ["user"]
    date_hierarchy = "joined_at"

    def save_model(self, request, obj, form, change):
        try:
            services.membership_save(membership=obj)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.is_last_organizer(obj):
            return False  # the group is never left without an organizer
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        try:
            services.membership_delete(membership=obj)
        except ValidationError as refused:
            self.message_user(request, refused.messages[0], messages.ERROR)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("group", "user"):
            self.delete_model(request, membership)
