"""Each language's address of a page: the page's own address with `?lang=es` (or `lang=en`).

Without the parameter a page speaks the reader's language (a member's choice, the switch's
cookie, the browser's Accept-Language); with it, the language it names, for anyone. Search
engines and people sharing a link get a fixed language; pages say so with hreflang alternates
(base.html), the sitemap lists both (events/sitemaps.py), and calendar feeds take the same
parameter (events/calendar_views.py).
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import check_for_language, get_language

PARAMETER = "lang"


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def address_language(request) -> str | None:
    """The language the address asks for (?lang=es), if it is one of the site's."""
    code = request.GET.get(PARAMETER, "")
    return code if code in languages() and check_for_language(code) else None


def language_address(url: str, language: str | None) -> str:
    """url with its language parameter set to language (removed when None)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAMETER]
    if language is not None:
        query.append((PARAMETER, language))
    return urlunsplit(parts._replace(query=urlencode(query)))


def reader_address(url: str) -> str:
    """url for a feed or a link shared onwards: with ?lang= when the reader reads another
    language than the main one (LANGUAGE_CODE), so what they add speaks theirs."""
    language = get_language()
    return url if language in (None, settings.LANGUAGE_CODE) else language_address(url, language)
