from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Group")

    def ready(self):
        from core import adminhome as core_adminhome
        from core import generations
        from core.emails.kinds import kinds
        from core.hooks import periodic
        from core.imagefiles import delete_files_receiver

        from . import adminhome, alerts, confirmations, emails
        from .models import Group, OrganizerAlert

        # The contact form's message and the answers to requests to join.
        for kind in emails.KINDS:
            kinds.register(kind)
        # Organizers hear of a request to join (at once, or in their daily digest).
        alerts.alert_register(emails.JOIN_REQUEST_ALERT)
        kinds.register(alerts.DIGEST_KIND)
        # Destructive acts wait for a second organizer, who is alerted.
        alerts.alert_register(confirmations.PENDING_ACTION_ALERT)
        for act in (
            confirmations.MEMBER_BAN,
            confirmations.MEMBER_REMOVE,
            confirmations.GROUP_DELETE,
        ):
            confirmations.action_kinds.register(act)
        periodic.register(alerts.periodic)
        generations.not_shown(OrganizerAlert)  # the digest's bookkeeping: no page shows it

        # The admin home: join requests waiting, and a new group's first steps.
        core_adminhome.waiting.register(adminhome.join_requests)
        core_adminhome.waiting.register(adminhome.pending_actions)
        core_adminhome.first_steps.register(adminhome.first_steps)

        post_delete.connect(
            delete_files_receiver("cover_image"),
            sender=Group,
            weak=False,
            dispatch_uid="group_files",
        )
