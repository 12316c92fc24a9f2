"""Events, speakers, breakouts, the program, venues and series in each of settings.LANGUAGES
(django-modeltranslation): `title_es`, `description_html_es`… beside the English; reading
`event.title` gives the reader's language, or the other one where it is empty
(MODELTRANSLATION_FALLBACK_LANGUAGES).
The stored HTML and text of a Markdown field are translated with it
(core.markdown.markdown_store renders each language)."""

from functools import wraps

from django.conf import settings
from django.utils import translation
from modeltranslation.translator import TranslationOptions, register, translator

from core.languages import languages

from .models import AgendaItem, Breakout, Event, Series, Speaker, SpeakerLink, Venue


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "description_html", "description_text")


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("affiliation", "bio", "bio_html")


@register(SpeakerLink)
class SpeakerLinkTranslation(TranslationOptions):
    fields = ("label",)


@register(Breakout)
class BreakoutTranslation(TranslationOptions):
    fields = ("topic", "prompt")


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Venue)
class VenueTranslation(TranslationOptions):
    fields = ("name", "address", "accessibility_notes", "directions")


@register(Series)
class SeriesTranslation(TranslationOptions):
    fields = ("name", "description", "description_html", "cadence")


def translated_fields(model) -> frozenset[str]:
    """The names of a model's translated fields (title, not title_en / title_es)."""
    return frozenset(translator.get_options_for_model(model).all_fields)


def translated_values(instance) -> dict:
    """Every language's column of the instance's translated fields: {"topic_en": …, …}."""
    return {
        f"{name}_{code}": getattr(instance, f"{name}_{code}")
        for name in translated_fields(type(instance))
        for code in languages()
    }


def in_main_language(function):
    """Runs a writer in the main language (LANGUAGE_CODE): what it writes to a translated
    field (event.title = …) is the main text, whatever language the organizer reads."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper
