"""Publishing and cancelling an event: from its change page (a confirmation that says who will
be told, asked once, then the event's own page; the status is not a select in the form) or
from the list for several events (Django's intermediate page, as delete_selected); and the
page's preview as a member will see it."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services, timefmt
from ..models import EventStatus
from ..views.preview import EventPreviewView, as_a_member


def told(event, *, publishing: bool, by) -> str:
    """Who publishing (or cancelling) this event tells, counted by the services that send it."""
    if publishing:
        count = services.event_publish_audience(event=event, by=by)
        text = ngettext(
            "%(count)d member will be emailed about it.",
            "%(count)d members will be emailed about it.",
            count,
        )
    else:
        count = services.event_cancel_audience(event=event, by=by)
        text = ngettext(
            "%(count)d person going or on the waitlist will be told.",
            "%(count)d people going or on the waitlist will be told.",
            count,
        )
    return text % {"count": count}


def _titles(events) -> str:
    return ", ".join(f"“{event.title}”" for event in events)


class PublishingAdminMixin:
    """The change page's "Publish…" (a draft), "Cancel the event…" (a published event) and
    "Preview"; the list's "Publish…" and "Cancel…" actions."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name="events_event_publish",
            ),
            path(
                "<path:object_id>/cancel/",
                view(self.cancel_view),
                name="events_event_cancel",
            ),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="events_event_preview",
            ),
            *super().get_urls(),
        ]

    def _changeable(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        event = self.get_object(request, unquote(object_id))
        if event is None:
            raise Http404
        if not self.has_change_permission(request, event):
            raise PermissionDenied
        return event

    def preview_view(self, request, object_id):
        """The event's page as an ordinary signed-in member who has not said they are coming
        will see it (events/views/preview.py), under a banner leading back here."""
        event = self._changeable(request, object_id)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        draft = event.is_draft
        preview = {
            "draft": draft,
            "change_url": reverse("admin:events_event_change", args=[event.pk]),
            "publish_url": reverse("admin:events_event_publish", args=[event.pk]) if draft else "",
        }
        view = EventPreviewView.as_view(extra_context={"preview": preview})
        return view(as_a_member(request), pk=event.pk)

    def publish_view(self, request, object_id):
        return self._status_view(request, object_id, EventStatus.PUBLISHED)

    def cancel_view(self, request, object_id):
        return self._status_view(request, object_id, EventStatus.CANCELLED)

    def _status_view(self, request, object_id, status):
        event = self._changeable(request, object_id)
        publishing = status == EventStatus.PUBLISHED
        allowed = EventStatus.DRAFT if publishing else EventStatus.PUBLISHED
        if event.status != allowed:
            self.message_user(
                request,
                _("This event is no longer a draft.")
                if publishing
                else _("Only a published event can be cancelled."),
                messages.WARNING,
            )
            return redirect("admin:events_event_change", event.pk)
        if request.method == "POST":
            services.event_set_status(event=event, status=status, by=request.user)
            message = (
                _("“%(title)s” is published. The group is being told.")
                if publishing
                else _("“%(title)s” is cancelled. The people going are being told.")
            )
            messages.success(request, message % {"title": event.title})
            return redirect(event.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": event,
            "publishing": publishing,
            "told": told(event, publishing=publishing, by=request.user),
            "when": timefmt.format_start(event.starts_at, event.group.zone),
            "title": _("Publish “%(title)s”?") % {"title": event.title}
            if publishing
            else _("Cancel “%(title)s”?") % {"title": event.title},
        }
        return TemplateResponse(request, "admin/events/event/status.html", context)

    @admin.action(description=_("Publish the selected events…"), permissions=["change"])
    def publish(self, request, queryset):
        return self._status_action(request, queryset, EventStatus.PUBLISHED)

    @admin.action(description=_("Cancel the selected events…"), permissions=["change"])
    def cancel(self, request, queryset):
        return self._status_action(request, queryset, EventStatus.CANCELLED)

    def _status_action(self, request, queryset, status):
        """First a page naming each event with who will be told (and the ones skipped, not in
        the status the change starts from); "post" (its button) then acts."""
        publishing = status == EventStatus.PUBLISHED
        allowed = EventStatus.DRAFT if publishing else EventStatus.PUBLISHED
        events = list(queryset.select_related("group"))
        ready = [event for event in events if event.status == allowed]
        skipped = [event for event in events if event.status != allowed]
        skipped_text = (
            _("Not drafts, left as they are: %(titles)s.")
            if publishing
            else _("Not published, left as they are: %(titles)s.")
        ) % {"titles": _titles(skipped)}
        if not ready or request.POST.get("post") == "yes":
            if skipped:
                self.message_user(request, skipped_text, messages.WARNING)
            for event in ready:
                services.event_set_status(event=event, status=status, by=request.user)
            if ready:
                done = (
                    ngettext(
                        "Published %(count)d event: %(titles)s. The group is being told.",
                        "Published %(count)d events: %(titles)s. The group is being told.",
                        len(ready),
                    )
                    if publishing
                    else ngettext(
                        "Cancelled %(count)d event: %(titles)s. The people going are being told.",
                        "Cancelled %(count)d events: %(titles)s. The people going are being told.",
                        len(ready),
                    )
                )
                self.message_user(
                    request,
                    done % {"count": len(ready), "titles": _titles(ready)},
                    messages.SUCCESS,
                )
            return None
        rows = [
            {
                "event": event,
                "when": timefmt.format_start(event.starts_at, event.group.zone),
                "told": told(event, publishing=publishing, by=request.user),
            }
            for event in ready
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "publishing": publishing,
            "action": "publish" if publishing else "cancel",
            "rows": rows,
            "skipped": skipped_text if skipped else "",
            "title": _("Publish these events?") if publishing else _("Cancel these events?"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/status_selected.html", context)
