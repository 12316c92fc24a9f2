from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Event, Series, Speaker


class EventSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Event.objects.published().order_by("-starts_at", "pk")

    def lastmod(self, item):
        return item.updated_at


class SpeakerSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Speaker.objects.filter(
            event_speakers__event__in=Event.objects.published()
        ).distinct()

    def lastmod(self, item):
        return item.updated_at


class SeriesSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Series.objects.order_by("pk")


class PagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "events:upcoming", "events:past"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "events": EventSitemap,
    "speakers": SpeakerSitemap,
    "series": SeriesSitemap,
}
