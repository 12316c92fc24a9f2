"""The discussion board's sections in each of settings.LANGUAGES (django-modeltranslation):
`name_es` beside the English; Spanish readers see the English where it is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import Category


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)
