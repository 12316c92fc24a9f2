from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from core.emails.kinds import kinds
        from core.hooks import periodic
        from events import hooks as event_hooks
        from groups.confirmations import ActionKind, action_kinds
        from members.hooks import DataPart, data_parts

        from . import data, emails, hooks, services, views

        # New proposals and polls, and poll reminders, are emails of their own kinds.
        for kind in emails.KINDS:
            kinds.register(kind)
        # Polls opening later, reminders a day before closing, and closed polls logged.
        periodic.register(services.periodic)
        # Elections hand over roles and settings polls apply their change when they close;
        # members are reminded before an elected term ends.
        hooks.poll_closed.register(services.on_closed)
        periodic.register(services.terms_periodic)
        # Proposals, supports and the member's own ballots are in their export; on deletion
        # supports go, ballots stay nobody's, proposals go or stay as the member chose.
        data_parts.register(
            DataPart(sections=data.SECTIONS, export=data.export, delete=services.member_data_delete)
        )
        # The event page credits the proposal it came from.
        event_hooks.event_page_context.register(views.event_proposal_context)
        # Cancelling a poll waits for a second organizer where the group has two.
        action_kinds.register(
            ActionKind(name="poll_cancel", label=_("Cancel the poll"), perform=_poll_cancel)
        )


def _poll_cancel(*, group, target, reason, by, confirmed_by) -> None:
    from django.core.exceptions import ValidationError

    from .models import Poll
    from .services import poll_cancel

    poll = Poll.objects.filter(pk=target, group=group).first()
    if poll is None:
        raise ValidationError(_("This poll no longer exists."), code="gone")
    poll_cancel(poll=poll, by=by, confirmed_by=confirmed_by)
