from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Group")

    def ready(self):
        from core.imagefiles import delete_files_receiver

        from .models import Group

        post_delete.connect(
            delete_files_receiver("cover_image"),
            sender=Group,
            weak=False,
            dispatch_uid="group_files",
        )
