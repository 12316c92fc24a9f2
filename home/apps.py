from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The pages that compose several apps (the home page); nothing below imports it."""

    name = "home"
    verbose_name = _("Home page")
