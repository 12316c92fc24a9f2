from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _event_deleted(sender, instance, **kwargs):
    """A deleted event that followers saw is deleted for them too, once the delete commits."""
    from .services import event_deleted

    group_id, event_pk, status = instance.group_id, instance.pk, instance.status
    transaction.on_commit(
        lambda: event_deleted(group_id=group_id, event_pk=event_pk, status=status)
    )


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("Fediverse")

    def ready(self):
        from core import adminhome as core_adminhome
        from core import generations
        from core.hooks import periodic
        from events import hooks as event_hooks
        from events.models import Event
        from members.hooks import privacy_notes

        from . import adminhome, delivery, privacy, replies, services
        from .models import BlockedDomain, Delivery, Follower, RemoteActor

        # No cached page or feed shows these; the settings row (Actor) is on the privacy page.
        for model in (BlockedDomain, Delivery, Follower, RemoteActor):
            generations.not_shown(model)
        privacy_notes.register(privacy.note)
        event_hooks.event_changed.register(services.event_federate)
        periodic.register(delivery.deliveries_retry)
        core_adminhome.waiting.register(adminhome.failed_deliveries)
        core_adminhome.waiting.register(adminhome.waiting_replies)
        # Approved replies from the fediverse show among the event's comments.
        event_hooks.event_page_context.register(replies.event_replies_context)
        post_delete.connect(
            _event_deleted, sender=Event, weak=False, dispatch_uid="federation_event_deleted"
        )
