from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from core.emails.kinds import kinds
        from core.hooks import periodic
        from core.imagefiles import delete_files_receiver

        from . import emails, services
        from .models import User

        # The welcome, and allauth's emails, which the outbox sends and logs like any other.
        for kind in emails.KINDS:
            kinds.register(kind)

        # The avatar goes with the account, also when the account is deleted in the admin.
        post_delete.connect(
            delete_files_receiver("avatar"), sender=User, weak=False, dispatch_uid="avatar_files"
        )
        # Quarantined avatars no task is coming for any more (core/uploads.py).
        periodic.register(services.avatar_incoming_sweep)
