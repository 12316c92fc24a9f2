from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Infrastructure every app uses and none owns (GUIDE.md: the bottom layer)."""

    name = "core"
    verbose_name = _("Site infrastructure")

    def ready(self):
        from django.db.models import fields

        from . import (
            adminhome,
            checks,  # noqa: F401 - registers the deploy checks
        )
        from .emails import outbox
        from .generations import m2m_changed_receiver, row_changed_receiver
        from .hooks import periodic

        # The empty choice of a select, in our catalog: Django 6.1's "- Select an option -"
        # has no Spanish in Django's own yet.
        fields.BLANK_CHOICE_LABEL = _("Choose…")
        # Cached public pages: any write to the project's own tables (core/generations.py).
        post_save.connect(row_changed_receiver, dispatch_uid="pages_generation_save")
        post_delete.connect(row_changed_receiver, dispatch_uid="pages_generation_delete")
        m2m_changed.connect(m2m_changed_receiver, dispatch_uid="pages_generation_m2m")
        # Emails that wait (a worker died holding them, a retry is due) get a drain with the
        # reminders, whatever happened to the task that was to send them.
        periodic.register(outbox.periodic)
        # The admin home says when emails failed.
        adminhome.waiting.register(adminhome.failed_emails)
