"""The discussion board's sections and the organizers' announcements in each of
settings.LANGUAGES (django-modeltranslation): `name_es`, `subject_es`… beside the English;
Spanish readers (and Spanish members' emails) show the English where it is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import Announcement, Category


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Announcement)
class AnnouncementTranslation(TranslationOptions):
    fields = ("subject", "body", "body_html")
