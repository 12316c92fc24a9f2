"""An event's page as an ordinary signed-in member who has not said they are coming sees it,
for the organizers' "Preview" in the admin (events/admin/publishing.py checks who asks).

The page is EventDetailView itself, run for a copy of the request whose person is a stand-in
member: `request.user` and `request.viewer` (groups.access.Viewer, with the member role) say
"a member", so every visibility rule (groups.visibility.allowed), the comments' and the
proposal's hooks and the header answer as they would for them, not for the organizer asking.
A draft is shown as it will be once published; its forms are shown but cannot be sent.
"""

import copy

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from groups.access import Viewer
from groups.models import Role

from ..models import Event, EventStatus
from .pages import EventDetailView

# Forms the event page may carry; in a preview their fields are disabled.
PAGE_FORMS = ("rsvp_form", "breakout_form", "comment_form")


def as_a_member(request):
    """A copy of the request made by a member of the group with no RSVP, no comment, no mute
    and no host duty: a stand-in account saved nowhere (id 0 matches no row). The organizer's
    own messages ("The event was changed") are not shown by the preview's templates; they
    wait for their next admin page."""
    stand_in = get_user_model()(pk=0, display_name=gettext("A member"))
    member = copy.copy(request)
    member.user = stand_in
    member.viewer = Viewer(stand_in, Role.MEMBER, getattr(request, "group", None))
    return member


class EventPreviewView(EventDetailView):
    """The event page for `as_a_member(request)`, the event named by its primary key.

    extra_context["preview"] carries the banner's links (the admin's change page, and
    "Publish…" for a draft)."""

    def visible_events(self):
        # Any of the group's events: the admin view checked that the organizer may change it.
        return Event.objects.all()

    def get_object(self, queryset=None):
        event = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if event.is_draft:
            # As members will see it once published; held in memory, never saved.
            event.status = EventStatus.PUBLISHED
        return event

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for name in PAGE_FORMS:
            form = context.get(name)
            for field in form.fields.values() if form is not None else ():
                field.disabled = True
        return context
