from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read-only JSON API (api/endpoints.py) and the signed webhooks (api/webhooks.py)."""

    name = "api"
    verbose_name = _("API and webhooks")

    def ready(self):
        from . import hookups

        hookups.register()
