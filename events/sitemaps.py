from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.translation import get_language

from core.languages import language_address

from .models import Event, Series, Speaker


class BilingualSitemap(Sitemap):
    """Every page once per language (its ?lang= address, core/languages.py), each with its
    hreflang alternates and the x-default that follows the reader's language."""

    i18n = True
    alternates = True

    def location(self, item):
        return language_address(self.path(item), get_language())

    def path(self, item):
        return item.get_absolute_url()

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            plain = language_address(url["location"], None)
            url["alternates"].append({"location": plain, "lang_code": "x-default"})
        return urls


class EventSitemap(BilingualSitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Event.objects.published().order_by("-starts_at", "pk")

    def lastmod(self, item):
        return item.updated_at


class SpeakerSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return Speaker.objects.filter(
            event_speakers__event__in=Event.objects.published()
        ).distinct()

    def lastmod(self, item):
        return item.updated_at


class SeriesSitemap(BilingualSitemap):
    changefreq = "monthly"

    def items(self):
        return Series.objects.order_by("pk")


class PagesSitemap(BilingualSitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "events:upcoming", "events:past"]

    def path(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "events": EventSitemap,
    "speakers": SpeakerSitemap,
    "series": SeriesSitemap,
}
