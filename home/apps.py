from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The pages that compose several apps (the home page) and the weekly email, which reads
    them all; nothing below imports it."""

    name = "home"
    verbose_name = _("Home page")

    def ready(self):
        from core import generations
        from core.emails.kinds import kinds
        from core.hooks import periodic

        from . import emails, exittasks, weekly
        from .models import ExitBundle, WeeklyEmail

        # What happened in the group this week, for members who chose it on /me/.
        kinds.register(emails.WEEKLY_KIND)
        periodic.register(weekly.periodic)
        generations.not_shown(WeeklyEmail)  # the weekly email's bookkeeping: no page shows it
        # The exit bundle: its archives deleted when their time is up; no page shows its rows.
        periodic.register(exittasks.periodic)
        generations.not_shown(ExitBundle)
