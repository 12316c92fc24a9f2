from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import Http404
from django.views.generic import DetailView, ListView

from .models import Breakout, Event, EventSpeaker, Series, Speaker, SpeakerRole
from .seo import event_json_ld

PAGE_SIZE = 20


class CaseInsensitiveSlugMixin:
    """Finds the object by slug ignoring case, through the Lower("slug") unique index."""

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        slug = self.kwargs["slug"].lower()
        try:
            return queryset.alias(slug_lower=Lower("slug")).get(slug_lower=slug)
        except queryset.model.DoesNotExist as missing:
            raise Http404 from missing


class UpcomingEventsView(ListView):
    template_name = "events/upcoming.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Event.objects.published().upcoming().for_listing()


class PastEventsView(ListView):
    template_name = "events/past.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Event.objects.published().past().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        zone = self.request._potluck_group.zone
        years: list[tuple[int, list[Event]]] = []
        for event in context["events"]:
            year = event.starts_at.astimezone(zone).year
            if not years or years[-1][0] != year:
                years.append((year, []))
            years[-1][1].append(event)
        context["years"] = years
        return context


class EventDetailView(CaseInsensitiveSlugMixin, DetailView):
    template_name = "events/detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return (
            Event.objects.visible_to(self.request.user)
            .select_related("group", "venue", "series")
            .prefetch_related(
                Prefetch("event_speakers", queryset=EventSpeaker.objects.select_related("speaker")),
                "agenda_items",
                Prefetch("breakouts", queryset=Breakout.objects.select_related("facilitator")),
                "hosts",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        speakers = list(event.event_speakers.all())
        context["guest_speakers"] = [es for es in speakers if es.role == SpeakerRole.GUEST]
        context["other_speakers"] = [es for es in speakers if es.role != SpeakerRole.GUEST]
        context["json_ld"] = event_json_ld(event, self.request)
        return context


class SpeakerDetailView(CaseInsensitiveSlugMixin, DetailView):
    template_name = "events/speaker.html"
    context_object_name = "speaker"
    queryset = Speaker.objects.prefetch_related("links")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["appearances"] = list(
            EventSpeaker.objects.filter(speaker=self.object, event__in=Event.objects.published())
            .select_related("event", "event__venue")
            .order_by("-event__starts_at", "pk")
        )
        return context


class SeriesDetailView(CaseInsensitiveSlugMixin, DetailView):
    template_name = "events/series.html"
    context_object_name = "series"
    queryset = Series.objects.select_related("default_venue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = Event.objects.published().filter(series=self.object)
        context["upcoming"] = list(events.upcoming().for_listing()[:PAGE_SIZE])
        context["past"] = list(events.past().for_listing()[:PAGE_SIZE])
        return context
