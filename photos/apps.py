from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = _("Photos")

    def ready(self):
        from core import adminhome as core_adminhome
        from core.hooks import periodic
        from events import hooks as event_hooks
        from groups.alerts import alert_register

        from . import adminhome, alerts, views
        from .models import Photo
        from .services import delete_files_after_commit, incoming_sweep

        # A photo's files go with its row, however the row goes: photo_delete, the admin's
        # delete and bulk delete, an album's or the group's deletion (cascades call no service).
        post_delete.connect(
            delete_files_after_commit, sender=Photo, weak=False, dispatch_uid="photo_files"
        )
        # Uploaded bytes that no photo waits for any more (core/uploads.py).
        periodic.register(incoming_sweep)
        # Organizers hear of a takedown request (at once, or in their daily digest).
        alert_register(alerts.TAKEDOWN_ALERT)
        # The recap of an evening that has ended: its first photos, near the top.
        event_hooks.event_page_context.register(views.event_photos_context)
        # The admin home: photos to review and takedown requests waiting.
        core_adminhome.waiting.register(adminhome.waiting)
