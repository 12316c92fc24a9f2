from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from core.imagefiles import delete_files_receiver

        from .models import User

        # The avatar goes with the account, also when the account is deleted in the admin.
        post_delete.connect(
            delete_files_receiver("avatar"), sender=User, weak=False, dispatch_uid="avatar_files"
        )
