from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminfilters import StrictFiltersMixin
from groups.admingroup import CurrentGroupAdminMixin

from . import services
from .models import Album, Photo, PhotoStatus, TakedownRequest, TakedownStatus


@admin.register(Album)
class AlbumAdmin(StrictFiltersMixin, CurrentGroupAdminMixin, admin.ModelAdmin):
    list_display = ["title", "event", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "event__title"]
    autocomplete_fields = ["event"]
    raw_id_fields = ["cover_photo"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class DescriptionFilter(admin.SimpleListFilter):
    """Photos still waiting for their description for people who can't see them (imported
    photos arrive without one): "Description: missing" lists what organizers have to write."""

    title = _("description")
    parameter_name = "described"

    def lookups(self, request, model_admin):
        return [("no", _("missing")), ("yes", _("written"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(alt_text="")
        if self.value() == "yes":
            return queryset.exclude(alt_text="")
        return queryset


@admin.register(Photo)
class PhotoAdmin(StrictFiltersMixin, admin.ModelAdmin):
    """Moderation: filter by "Pending review" or hidden photos, then approve or hide."""

    list_display = ["thumbnail", "album", "uploaded_by", "status", "takedown", "uploaded_at"]
    list_filter = ["status", DescriptionFilter, "album"]
    list_select_related = ["album", "uploaded_by"]
    search_fields = ["caption", "alt_text", "album__title", "uploaded_by__display_name"]
    date_hierarchy = "uploaded_at"
    actions = ["approve", "hide"]
    fields = [
        "thumbnail",
        "album",
        "caption",
        "alt_text",
        "status",
        "refusal",
        "upload_name",
        "uploaded_by",
        "taken_at",
        "uploaded_at",
        "takedown_requested_by",
        "takedown_requested_at",
    ]
    readonly_fields = [
        "thumbnail",
        "album",
        "status",
        "refusal",
        "upload_name",
        "uploaded_by",
        "taken_at",
        "uploaded_at",
        "takedown_requested_by",
        "takedown_requested_at",
    ]

    def has_add_permission(self, request):
        # Photos come in through the upload form, which decodes and re-encodes them.
        return False

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        # The list's link to the photo: its name is the image's text alternative, never empty.
        name = obj.alt_text or obj.caption or _("Photo %(number)d") % {"number": obj.pk}
        if not obj.has_renditions:
            return name  # being processed, or refused: no picture to show
        return format_html('<img src="{}" width="120" alt="{}">', obj.grid_jpeg_url, name)

    @admin.display(description=_("takedown asked"), boolean=True)
    def takedown(self, obj):
        return obj.takedown_requested_at is not None

    @admin.action(description=_("Approve (publish) the selected photos"))
    def approve(self, request, queryset):
        self._set(request, queryset, PhotoStatus.PUBLISHED)

    @admin.action(description=_("Hide the selected photos"))
    def hide(self, request, queryset):
        self._set(request, queryset, PhotoStatus.HIDDEN)

    def _set(self, request, queryset, status):
        queryset = queryset.stored()  # one being processed, or refused, has nothing to show
        for photo in queryset:
            services.photo_set_status(photo=photo, status=status, by=request.user)
        count = len(queryset)
        self.message_user(
            request, ngettext("%d photo updated.", "%d photos updated.", count) % count
        )

    def delete_model(self, request, obj):
        services.photo_delete(photo=obj, member=request.user)

    def delete_queryset(self, request, queryset):
        for photo in queryset:
            services.photo_delete(photo=photo, member=request.user)


@admin.register(TakedownRequest)
class TakedownRequestAdmin(StrictFiltersMixin, admin.ModelAdmin):
    """The organizers' queue of "This is me, please remove" from people whose word alone does
    not hide a photo: hide the photo, or dismiss the request."""

    list_display = ["thumbnail", "photo_status", "requested_by", "requested_at", "status"]
    list_filter = ["status"]
    list_select_related = ["photo", "photo__album", "requested_by"]
    search_fields = ["photo__caption", "photo__album__title", "requested_by__display_name"]
    date_hierarchy = "requested_at"
    actions = ["hide_photos", "dismiss"]
    fields = [
        "thumbnail",
        "photo",
        "photo_status",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # requests come from the photo page's button

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return PhotoAdmin.thumbnail(self, obj.photo)

    @admin.display(description=_("photo's status"))
    def photo_status(self, obj):
        return obj.photo.get_status_display()

    @admin.action(permissions=["change"], description=_("Hide the photos of the selected requests"))
    def hide_photos(self, request, queryset):
        self._decide(request, queryset, hide=True)

    @admin.action(
        permissions=["change"],
        description=_("Dismiss the selected requests (the photos stay as they are)"),
    )
    def dismiss(self, request, queryset):
        self._decide(request, queryset, hide=False)

    def _decide(self, request, queryset, *, hide):
        count = 0
        for takedown in queryset.filter(status=TakedownStatus.OPEN):
            services.takedown_request_decide(takedown=takedown, hide=hide, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%d request decided.", "%d requests decided.", count) % count,
        )
