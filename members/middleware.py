from django.conf import settings
from django.utils import translation

from core.languages import address_language


class MemberLanguageMiddleware:
    """A signed-in member who chose a language on /me/ reads the site in it, whatever the
    browser asks (django.middleware.locale.LocaleMiddleware has already chosen from the
    cookie and Accept-Language for everyone else). Their emails follow the same choice
    (events.notifications.build_message)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is signed in: the session is not even looked at,
        # so public responses (feeds, cached pages) do not vary on Cookie.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class AddressLanguageMiddleware:
    """An address that names a language (?lang=es, core/languages.py) is read in it, by
    anyone: what the page's hreflang alternates and the sitemap point to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = address_language(request)
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
