from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationConfig(AppConfig):
    name = "conversation"
    verbose_name = _("Conversation")

    def ready(self):
        from core import adminhome as core_adminhome
        from core.emails.kinds import kinds
        from core.hooks import periodic
        from events import hooks as event_hooks
        from groups.alerts import alert_register
        from groups.confirmations import ActionKind, action_kinds
        from members.hooks import DataPart, data_parts

        from . import adminhome, data, emails, services, views

        # Announcements, replies, digests and warnings are emails of their own kinds.
        for kind in emails.KINDS:
            kinds.register(kind)
        # Organizers hear of a report (at once, or in their daily digest).
        alert_register(emails.REPORT_ALERT)
        # An organizer deleting a discussion waits for a second organizer where there are two.
        action_kinds.register(
            ActionKind(
                name="discussion_delete",
                label=_("Delete the discussion"),
                perform=services.discussion_delete_confirmed,
            )
        )
        # Scheduled announcements and daily digests go out with the reminders.
        periodic.register(services.periodic)
        # The admin home: reports waiting.
        core_adminhome.waiting.register(adminhome.open_reports)
        # What members wrote is in their export and the privacy page, and goes (or stays,
        # signed "a former member") with their account.
        data_parts.register(
            DataPart(
                sections=data.SECTIONS,
                export=data.export,
                delete=services.member_writing_delete,
            )
        )
        # The event page shows the event's comments.
        event_hooks.event_page_context.register(views.event_comments_context)
        event_hooks.event_page_version_flags.register(views.event_page_version_flags)
