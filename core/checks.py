"""Deploy checks (`manage.py check --deploy`) for what Potluck needs in production."""

from pathlib import Path
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


@register(Tags.translation, deploy=True)
def translations_are_compiled(app_configs, **kwargs):
    """A catalog (.po) without its compiled .mo, or with an older one, serves English to
    readers of that language under `<html lang="…">`: nothing else would say so."""
    errors = []
    for folder in settings.LOCALE_PATHS:
        for catalog in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
            compiled = catalog.with_suffix(".mo")
            if not compiled.exists() or compiled.stat().st_mtime < catalog.stat().st_mtime:
                errors.append(
                    Error(
                        f"{catalog} is not compiled"
                        + (" (its .mo is older)" if compiled.exists() else "")
                        + ", so its readers would get English.",
                        hint="Run `python manage.py compilemessages --ignore=.venv` (GNU "
                        "gettext), or `python tools/compile_messages.py` without it.",
                        id="potluck.E003",
                    )
                )
    return errors


@register(Tags.security, deploy=True)
def no_http_trial_in_production(app_configs, **kwargs):
    """POTLUCK_HTTP_TRIAL turns off what makes cookies safe on the internet."""
    if getattr(settings, "POTLUCK_HTTP_TRIAL", False):
        return [
            Error(
                "POTLUCK_HTTP_TRIAL is set: cookies go over plain http and HTTPS is not "
                "enforced. It is for trying production mode on your own machine only.",
                hint="Unset POTLUCK_HTTP_TRIAL and serve the site behind a TLS proxy.",
                id="potluck.E004",
            )
        ]
    return []
