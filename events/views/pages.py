"""Listings, the event page, speakers, series and images."""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    ObjectDoesNotExist,
)
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import DetailView, ListView

from core import imagefiles
from core.counts import CountOncePerChangeMixin
from groups.access import viewer
from groups.models import Membership
from groups.visibility import allowed

from .. import hooks
from ..calendar_views import google_add_link
from ..forms import (
    BreakoutChoiceForm,
    RSVPForm,
)
from ..models import (
    RSVP,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    RSVPStatus,
    Speaker,
    SpeakerRole,
    by_slug,
)
from ..seo import event_json_ld

PAGE_SIZE = 20
RECAP_TEMPLATE = "events/recap.html"
# Faces in the recap's "who went" row; the rest are "+N".
RECAP_FACES = 12
# A member who keeps their name off the attendee lists, to ask groups.visibility who sees them.
NAME_KEPT_PRIVATE = SimpleNamespace(pk=None, show_in_attendee_lists=False)


class CaseInsensitiveSlugMixin:
    """Finds the object by slug ignoring case, through the Lower("slug") unique index."""

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        try:
            return by_slug(queryset, self.kwargs["slug"]).get()
        except queryset.model.DoesNotExist as missing:
            raise Http404 from missing


class UpcomingEventsView(CountOncePerChangeMixin, ListView):
    template_name = "events/upcoming.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE
    count_name = "events:upcoming"  # the same for everyone; moves when an event ends

    def get_queryset(self):
        return Event.objects.published().upcoming().for_listing()


class PastEventsView(CountOncePerChangeMixin, ListView):
    template_name = "events/past.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE
    count_name = "events:past"  # the same for everyone; moves when an event ends

    def get_queryset(self):
        """Only what the count and the order need: the page's rows get the rest afterwards."""
        return Event.objects.published().past()

    def paginate_queryset(self, queryset, page_size):
        """Paginate first, then count attendance for the page's events alone (a subquery
        per row would otherwise also run for every row the OFFSET skips)."""
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = (
            Event.objects.filter(pk__in=rows.values("pk"))
            .for_listing()
            .with_attendance()
            .defer("description", "description_html", "description_text")
            .order_by("-starts_at", "-pk")
        )
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        zone = self.request.group.zone
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

    def visible_events(self):
        """The events this page may show: those the person asking may see."""
        return Event.objects.visible_to(viewer(self.request))

    def get_queryset(self):
        return (
            self.visible_events()
            .select_related("group", "venue", "series", "album")
            .prefetch_related(
                Prefetch("event_speakers", queryset=EventSpeaker.objects.select_related("speaker")),
                "agenda_items",
                Prefetch(
                    "breakouts",
                    queryset=Breakout.objects.select_related("facilitator").annotate(
                        signups=Count("rsvps", filter=Q(rsvps__status=RSVPStatus.GOING))
                    ),
                ),
                "hosts",
            )
        )

    def get_template_names(self):
        """An evening that has ended is a recap (what happened), not an invitation."""
        if self.object.has_ended:
            return [RECAP_TEMPLATE]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.has_ended:
            return recap_context(self.request, self.object, context)
        event = self.object
        user = self.request.user
        speakers = list(event.event_speakers.all())
        context["guest_speakers"] = [es for es in speakers if es.role == SpeakerRole.GUEST]
        context["other_speakers"] = [es for es in speakers if es.role != SpeakerRole.GUEST]
        context["json_ld"] = event_json_ld(event, self.request)
        context["google_calendar_url"] = google_add_link(event)

        rsvps = RSVP.objects.filter(event=event)
        stats = rsvps.stats()
        stats["seats_left"] = (
            None if event.capacity is None else max(event.capacity - stats["seats_taken"], 0)
        )
        context["stats"] = stats
        # Names of the people going: whom the group's setting names (groups/visibility.py,
        # "attendance"; members by default); a cancelled event lists nobody.
        looking = viewer(self.request)
        show_names = allowed(looking, "attendance", event=event) and not event.is_cancelled
        attendees = (
            list(
                rsvps.going()
                .filter(member__show_in_attendee_lists=True)
                .select_related("member")
                .order_by("created_at", "pk")
            )
            if show_names
            else []
        )
        context["show_attendee_names"] = show_names
        context["attendees"] = attendees
        context["hidden_attendees"] = stats["going"] - len(attendees) if show_names else 0
        context["can_run_door"] = allowed(looking, "rsvp_answers", event=event)

        mine = None
        version = getattr(self.request, "event_page_version", None)
        if version is not None and version.event_pk == event.pk and version.rsvp_pk is None:
            pass  # the page's version query found none of theirs
        elif user.is_authenticated:
            mine = rsvps.filter(member=user).with_waitlist_position().first()
        context["my_rsvp"] = mine
        context["my_breakout"] = next(
            (b for b in event.breakouts.all() if mine is not None and b.pk == mine.breakout_id),
            None,
        )
        # Back from logging in with "I'm going" in mind: the page asks them to confirm (a
        # POST); a GET never answers for them.
        context["rsvp_intent"] = self.request.GET.get("rsvp") == "yes"
        context["join_path"] = (
            join_path(event, looking, version)
            if looking.is_authenticated and not looking.is_member
            else None
        )
        organizer = looking.is_organizer  # the membership role (or a superuser)
        context["is_organizer"] = organizer
        context["can_see_private"] = organizer or (mine is not None and mine.is_going)
        try:
            album = event.album
        except ObjectDoesNotExist:
            album = None
        context["album"] = album
        context["can_add_photos"] = organizer or (mine is not None and mine.is_going)
        hosts = list(event.hosts.all())
        for host in hosts:
            # A face where this viewer may see the host's profile; initials otherwise.
            host.avatar_url = (
                reverse("members:avatar", args=[host.pk])
                if host.avatar and allowed(looking, "profile", owner=host)
                else ""
            )
        context["hosts"] = hosts
        context.setdefault(
            "rsvp_form",
            RSVPForm(
                event=event,
                breakouts=rsvp_breakouts(event, mine, stats["seats_left"]),
                initial={
                    "guests": mine.guests if mine else 0,
                    "answer": mine.answer if mine else "",
                    "breakout": mine.breakout_id if mine else None,
                },
            ),
        )
        context.setdefault(
            "breakout_form",
            BreakoutChoiceForm(
                event=event, initial={"breakout": mine.breakout_id if mine else None}
            ),
        )
        # What the apps above events add (events.hooks: conversation's comments).
        for build in hooks.event_page_context:
            context.update(build(self.request, event))
        return context


def recap_context(request, event: Event, context: dict) -> dict:
    """What the recap of an evening that has ended shows: how many went and who (as faces,
    per groups/visibility.py), the album's first photos (events.hooks: photos), the breakouts'
    notes; no RSVP form, no calendar. A fixed number of queries, however many went."""
    looking = viewer(request)
    speakers = list(event.event_speakers.all())
    context["guest_speakers"] = [es for es in speakers if es.role == SpeakerRole.GUEST]
    context["other_speakers"] = [es for es in speakers if es.role != SpeakerRole.GUEST]
    context["json_ld"] = event_json_ld(event, request)
    rsvps = RSVP.objects.filter(event=event)
    stats = rsvps.stats()
    # Who went: those checked in when the door recorded anyone, else those who said going.
    went = rsvps.going()
    if stats["checked_in"]:
        went = went.filter(checked_in_at__isnull=False)
    went_count = 0 if event.is_cancelled else stats["checked_in"] or stats["going"]
    faces: list[RSVP] = []
    if went_count and allowed(looking, "attendance", event=event):
        went = went.filter(member__isnull=False)
        # Members who keep their name off the lists are shown to whom the rule lets see them
        # (organizers, the event's hosts) and to themselves.
        if not allowed(looking, "attendance", owner=NAME_KEPT_PRIVATE, event=event):
            keeps_private = Q(member__show_in_attendee_lists=False)
            if looking.is_authenticated:
                keeps_private &= ~Q(member=looking.user)
            went = went.exclude(keeps_private)
        faces = list(went.select_related("member").order_by("created_at", "pk")[:RECAP_FACES])
        for rsvp in faces:
            rsvp.avatar_url = _avatar_url(looking, rsvp.member)
    context["went_count"] = went_count
    context["faces"] = faces
    context["more_went"] = went_count - len(faces) if faces else 0

    version = getattr(request, "event_page_version", None)
    # The page's version query may already have found none of theirs.
    none_of_theirs = (
        version is not None and version.event_pk == event.pk and version.rsvp_pk is None
    )
    mine = None
    if request.user.is_authenticated and not none_of_theirs:
        mine = rsvps.filter(member=request.user).first()
    context["my_rsvp"] = mine
    # Checked in, or said going where the door recorded nobody.
    context["i_went"] = (
        not event.is_cancelled
        and mine is not None
        and mine.is_going
        and (mine.checked_in_at is not None or not stats["checked_in"])
    )
    context["is_member"] = looking.is_member
    context["is_organizer"] = looking.is_organizer
    context["can_run_door"] = allowed(looking, "rsvp_answers", event=event)
    context["can_add_photos"] = not event.is_cancelled and (
        looking.is_organizer or (looking.is_member and mine is not None and mine.is_going)
    )
    breakouts = list(event.breakouts.all())
    context["breakout_notes"] = [b for b in breakouts if b.notes_published and b.notes]
    context["other_breakouts"] = [b for b in breakouts if not (b.notes_published and b.notes)]
    hosts = list(event.hosts.all())
    for host in hosts:
        host.avatar_url = _avatar_url(looking, host)
    context["hosts"] = hosts
    # What the apps above events add (events.hooks: photos' strip, conversation's comments).
    for build in hooks.event_page_context:
        context.update(build(request, event))
    return context


def _avatar_url(looking, person) -> str:
    """A face where this viewer may see the person's profile; initials otherwise."""
    if person.avatar and allowed(looking, "profile", owner=person):
        return reverse("members:avatar", args=[person.pk])
    return ""


def join_path(event: Event, looking, version) -> str:
    """How a signed-in person who is not a member gets to answer: "pending" (their request
    waits), "open" ("Join and go", one POST), "approval" or "questions" (the join page first,
    then back to the event)."""
    if version is not None and version.event_pk == event.pk:
        pending = version.join_pending
    else:
        pending = (
            Membership.objects.pending().filter(group_id=event.group_id, user=looking.user).exists()
        )
    if pending:
        return "pending"
    if event.group.join_needs_approval:
        return "approval"
    if event.group.join_questions.exists():
        return "questions"
    return "open"


def rsvp_breakouts(event: Event, mine: RSVP | None, seats_left: int | None) -> list[Breakout]:
    """The breakouts offered inside the RSVP form: to members going or about to go (not to
    the waitlist, who cannot pick one yet), before the event ends. Prefetched on the page."""
    if event.has_ended or (mine is not None and mine.is_waitlisted):
        return []
    if (mine is None or not mine.is_going) and seats_left == 0:
        return []
    return list(event.breakouts.all())


HOSTING_LIMIT = 10


@login_required
@require_http_methods(["GET", "HEAD"])
def my_events(request):
    """The member's upcoming RSVPs with their state, the past events they attended, and the
    evenings they host with the host tools."""
    now = timezone.now()
    mine = RSVP.objects.filter(member=request.user).select_related("event", "event__venue")
    upcoming_ids = Event.objects.published().upcoming(now).values("pk")
    past_ids = Event.objects.published().past(now).values("pk")
    context = {
        "upcoming": list(
            mine.filter(
                event__in=upcoming_ids.filter(status=EventStatus.PUBLISHED),
                status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
            )
            .with_waitlist_position()
            .order_by("event__starts_at", "pk")
        ),
        # Cancelled events the member had said yes to, until their date passes.
        "cancelled": list(
            mine.filter(
                event__in=upcoming_ids.filter(status=EventStatus.CANCELLED),
                status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
            ).order_by("event__starts_at", "pk")
        ),
        "attended": list(
            mine.filter(
                event__in=past_ids.filter(status=EventStatus.PUBLISHED), status=RSVPStatus.GOING
            ).order_by("-event__starts_at", "-pk")
        ),
        # The upcoming evenings the member hosts, with their host tools as buttons.
        "hosting": list(
            Event.objects.published()
            .upcoming(now)
            .filter(status=EventStatus.PUBLISHED, hosts=request.user)
            .select_related("venue")
            .order_by("starts_at", "pk")[:HOSTING_LIMIT]
        ),
    }
    return TemplateResponse(request, "events/my_events.html", context)


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


@require_safe
def cover_image(request, slug, version, ext):
    """The event's cover for whoever may see the event: published ones for all, drafts for
    organizers (and then never in a shared cache)."""
    event = get_object_or_404(
        by_slug(Event.objects.visible_to(viewer(request)), slug).only("cover_image", "status")
    )
    public = event.status != EventStatus.DRAFT
    return imagefiles.image_response(
        request, event.cover_image, version, ext, public=public, shape=imagefiles.COVER
    )


@require_safe
def speaker_photo(request, slug, version, ext):
    """Speaker pages are public, and so are their photos."""
    speaker = get_object_or_404(by_slug(Speaker.objects.only("photo"), slug))
    return imagefiles.image_response(request, speaker.photo, version, ext, public=True)
