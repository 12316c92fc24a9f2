"""The group's texts in each of settings.LANGUAGES (django-modeltranslation): `about_es`,
`about_html_es`… beside the English; reading `group.about` gives the reader's language, or
English where the Spanish is empty (MODELTRANSLATION_FALLBACK_LANGUAGES)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Group


@register(Group)
class GroupTranslation(TranslationOptions):
    fields = ("tagline", "about", "step_up", "about_html", "step_up_html")
