from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from core.emails.kinds import kinds
        from core.imagefiles import delete_files_receiver
        from groups import hooks as group_hooks
        from groups.generations import page_columns_register

        from . import emails, services
        from .calendar_cache import calendar_changed
        from .generation import page_columns
        from .models import Event, Speaker, member_attendance

        # Every feed shows the group's name and time zone: an edit of the group refreshes them.
        group_hooks.group_changed.register(calendar_changed)
        # A member an organizer removed or banned frees their seats; the membership admin
        # shows each member's attendance.
        group_hooks.member_removed.register(services.rsvps_release_removed)
        group_hooks.membership_annotations.register(member_attendance)
        # Cached pages follow events' own moments (start, end, RSVPs opening and closing).
        page_columns_register(page_columns)
        # The emails about events (RSVPs, changes, reminders, announcements, messages).
        for kind in emails.KINDS:
            kinds.register(kind)

        # Image files go with their rows, however the rows go (see delete_files_receiver).
        post_delete.connect(
            delete_files_receiver("cover_image"),
            sender=Event,
            weak=False,
            dispatch_uid="event_files",
        )
        post_delete.connect(
            delete_files_receiver("photo"), sender=Speaker, weak=False, dispatch_uid="speaker_files"
        )
