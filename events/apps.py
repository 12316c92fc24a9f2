from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from core.imagefiles import delete_files_receiver
        from groups.generations import page_columns_register
        from groups.hooks import (
            group_changed_register,
            member_removed_register,
            membership_annotations_register,
        )

        from . import notifications, services, tasks
        from .calendar_cache import calendar_changed
        from .generation import page_columns
        from .models import Event, Speaker, attendance_annotations

        # Every feed shows the group's name and time zone: an edit of the group refreshes them.
        group_changed_register(calendar_changed)
        # A member an organizer removed or banned frees their seats; the membership admin
        # shows each member's attendance.
        member_removed_register(services.rsvps_release_removed)
        membership_annotations_register(lambda: attendance_annotations("user"))
        # Cached pages follow events' own moments (start, end, RSVPs opening and closing).
        page_columns_register(page_columns)
        # notify() enqueues the task that imports notifications (the import runs one way).
        notifications.send_batch_register(tasks.send_batch)

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
