"""The group's texts and links in each of settings.LANGUAGES (django-modeltranslation): `about_es`,
`about_html_es`… beside the English; reading `group.about` gives the reader's language, or
English where the Spanish is empty (MODELTRANSLATION_FALLBACK_LANGUAGES)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Group, ResourceLink, SocialLink


@register(Group)
class GroupTranslation(TranslationOptions):
    fields = ("tagline", "about", "step_up", "about_html", "step_up_html")


@register(ResourceLink)
class ResourceLinkTranslation(TranslationOptions):
    fields = ("title", "note")


@register(SocialLink)
class SocialLinkTranslation(TranslationOptions):
    fields = ("label",)
