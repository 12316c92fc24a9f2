"""Polls in each of settings.LANGUAGES (django-modeltranslation): `question_es`,
`details_es`, each option's `label_es` beside the English; Spanish readers (and Spanish
members' emails) see the English where the Spanish is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import Option, Poll


@register(Poll)
class PollTranslation(TranslationOptions):
    fields = ("question", "details", "details_html")


@register(Option)
class OptionTranslation(TranslationOptions):
    fields = ("label",)
