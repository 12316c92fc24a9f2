from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Group")

    def ready(self):
        from core.emails.kinds import kinds
        from core.imagefiles import delete_files_receiver

        from . import emails
        from .models import Group

        # The contact form's message and the answers to requests to join.
        for kind in emails.KINDS:
            kinds.register(kind)

        post_delete.connect(
            delete_files_receiver("cover_image"),
            sender=Group,
            weak=False,
            dispatch_uid="group_files",
        )
