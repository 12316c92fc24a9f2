"""Deploy checks (`manage.py check --deploy`) for what Potluck needs in production."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def site_url_is_public_https(app_configs, **kwargs):
    """Emails, feeds and calendar UIDs name POTLUCK_SITE_URL; a default would name 127.0.0.1."""
    url = settings.SITE_URL
    parts = urlsplit(url)
    if not settings.SITE_URL_FROM_ENVIRONMENT:
        return [
            Error(
                "POTLUCK_SITE_URL is not set, so emails, calendar feeds and event UIDs would "
                f"name the development address {url}.",
                hint="Set POTLUCK_SITE_URL to the site's public address, "
                "e.g. https://coops.example.org.",
                id="potluck.E001",
            )
        ]
    if parts.scheme != "https" or not parts.hostname:
        return [
            Error(
                f"POTLUCK_SITE_URL is {url!r}; in production it must be an https:// address.",
                hint="Serve Potluck behind a TLS proxy and give its https:// address.",
                id="potluck.E002",
            )
        ]
    return []
