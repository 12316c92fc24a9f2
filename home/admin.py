"""The exit bundle in the admin: organizers start a build, follow its progress, download it."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.access import viewer
from groups.models import Group

from .exittasks import exit_bundle_start, exit_bundles_expire
from .models import ACTIVE_STATES, ExitBundle, ExitBundleState


@admin.register(ExitBundle)
class ExitBundleAdmin(admin.ModelAdmin):
    """Only organizers (the membership role) see, start and download bundles."""

    list_display = ["created_at", "state", "progress", "requested_by", "expires_at"]
    list_select_related = ["requested_by"]
    change_list_template = "admin/home/exitbundle/change_list.html"
    change_form_template = "admin/home/exitbundle/progress.html"
    fields = ["state", "pages_done", "pages_total", "requested_by", "created_at", "finished_at"]
    readonly_fields = fields

    def _organizer(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and viewer(request).is_organizer

    def has_module_permission(self, request):
        return self._organizer(request)

    def has_view_permission(self, request, obj=None):
        return self._organizer(request)

    def has_add_permission(self, request):
        return False  # "Build a new bundle" is a POST of its own

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.pages_done} / {obj.pages_total}"

    def get_urls(self):
        return [
            path(
                "build/", self.admin_site.admin_view(self.build_view), name="home_exitbundle_build"
            ),
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="home_exitbundle_download",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        exit_bundles_expire()
        busy = ExitBundle.objects.filter(state__in=ACTIVE_STATES).exists()
        return super().changelist_view(request, {**(extra_context or {}), "busy": busy})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        bundle = self.get_object(request, object_id)
        context = {
            "bundle": bundle,
            "building": bundle is not None and bundle.state in ACTIVE_STATES,
            "downloadable": bundle is not None
            and bundle.state == ExitBundleState.READY
            and bundle.expires_at > timezone.now(),
            "error_lines": bundle.errors.splitlines() if bundle else [],
        }
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **context}
        )

    def build_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._organizer(request):
            raise PermissionDenied
        try:
            bundle = exit_bundle_start(group=Group.objects.current(), by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect("admin:home_exitbundle_changelist")
        return redirect("admin:home_exitbundle_change", bundle.pk)

    def download_view(self, request, pk):
        if not self._organizer(request):
            raise PermissionDenied
        bundle = ExitBundle.objects.filter(pk=pk, state=ExitBundleState.READY).first()
        if bundle is None or not bundle.archive or bundle.expires_at <= timezone.now():
            raise Http404
        return FileResponse(
            bundle.archive.open("rb"),
            as_attachment=True,
            filename=bundle.archive.name.rsplit("/", 1)[-1],
            content_type="application/zip",
        )
