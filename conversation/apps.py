from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationConfig(AppConfig):
    name = "conversation"
    verbose_name = _("Conversation")

    def ready(self):
        from events.hooks import event_page_register
        from groups.hooks import periodic_register
        from members.hooks import DataPart, data_part_register

        from . import data, services, views

        # Scheduled announcements and daily digests go out with the reminders.
        periodic_register(services.periodic)
        # What members wrote is in their export and the privacy page, and goes (or stays,
        # signed "a former member") with their account.
        data_part_register(
            DataPart(
                sections=data.SECTIONS,
                export=data.export,
                delete=services.member_writing_delete,
            )
        )
        # The event page shows the event's comments.
        event_page_register(views.event_comments_context, views.event_page_version_flags)
