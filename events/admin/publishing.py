"""Publishing and cancelling an event from its change page: a confirmation that says who will
be told, asked once, then the event's own page (the status is not a select in the form)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services, timefmt
from ..models import EventStatus


class PublishingAdminMixin:
    """The change page's "Publish…" (a draft) and "Cancel the event…" (a published event)."""

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
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        return self._status_view(request, object_id, EventStatus.PUBLISHED)

    def cancel_view(self, request, object_id):
        return self._status_view(request, object_id, EventStatus.CANCELLED)

    def _status_view(self, request, object_id, status):
        if not self.has_change_permission(request):
            raise PermissionDenied
        event = self.get_object(request, unquote(object_id))
        if event is None:
            raise Http404
        if not self.has_change_permission(request, event):
            raise PermissionDenied
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
        if publishing:
            count = services.event_publish_audience(event=event, by=request.user)
            told = ngettext(
                "%(count)d member will be emailed about it.",
                "%(count)d members will be emailed about it.",
                count,
            )
        else:
            count = services.event_cancel_audience(event=event, by=request.user)
            told = ngettext(
                "%(count)d person going or on the waitlist will be told.",
                "%(count)d people going or on the waitlist will be told.",
                count,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": event,
            "publishing": publishing,
            "told": told % {"count": count},
            "when": timefmt.format_start(event.starts_at, event.group.zone),
            "title": _("Publish “%(title)s”?") % {"title": event.title}
            if publishing
            else _("Cancel “%(title)s”?") % {"title": event.title},
        }
        return TemplateResponse(request, "admin/events/event/status.html", context)
