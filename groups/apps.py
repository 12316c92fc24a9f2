from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Group")

    def ready(self):
        from django.db.models import fields

        from . import checks  # noqa: F401 - registers the deploy checks

        # The empty choice of a select, in our catalog: Django 6.1's "- Select an option -"
        # has no Spanish in Django's own yet.
        fields.BLANK_CHOICE_LABEL = _("Choose…")
        from .generations import m2m_changed_receiver, row_changed_receiver
        from .imagefiles import delete_files_receiver
        from .models import Group

        post_delete.connect(
            delete_files_receiver("cover_image"),
            sender=Group,
            weak=False,
            dispatch_uid="group_files",
        )
        # Cached public pages: any write to the project's own tables (groups/generations.py).
        post_save.connect(row_changed_receiver, dispatch_uid="pages_generation_save")
        post_delete.connect(row_changed_receiver, dispatch_uid="pages_generation_delete")
        m2m_changed.connect(m2m_changed_receiver, dispatch_uid="pages_generation_m2m")
