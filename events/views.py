from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import DetailView, ListView

from groups import imagefiles
from groups.access import Viewer, viewer
from groups.counts import CountOncePerChangeMixin
from groups.db import CompiledQuery
from groups.models import Membership
from groups.visibility import allowed

from . import services
from .calendar_views import google_add_link
from .forms import (
    MOVE_LABELS,
    MOVES,
    AttendeeAddForm,
    AttendeeMoveForm,
    BreakoutChoiceForm,
    CheckInForm,
    EventHostsForm,
    NoShowForm,
    OrganizerMessageForm,
    RSVPForm,
)
from .hooks import event_page_context, event_page_version_flags
from .models import (
    RSVP,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    RSVPStatus,
    Series,
    Speaker,
    SpeakerRole,
    by_slug,
)
from .seo import event_json_ld

PAGE_SIZE = 20
GUEST_ERRORS = {"too_many_guests", "no_seats_for_guests"}


def is_organizer(user) -> bool:
    return user.is_authenticated and user.has_perm("events.change_event")


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

    def get_queryset(self):
        return Event.objects.published().upcoming().for_listing()


class PastEventsView(CountOncePerChangeMixin, ListView):
    template_name = "events/past.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE

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
            .order_by("-starts_at", "-pk")
        )
        return paginator, page, page.object_list, is_paginated

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
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
        # Names of the people going: members only (groups/visibility.py, "attendance"); a
        # cancelled event lists nobody.
        looking = viewer(self.request)
        show_names = allowed(looking, "attendance") and not event.is_cancelled
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
        version = getattr(self.request, "_potluck_event_version", None)
        if version is not None and version.event_pk == event.pk and version.rsvp_pk is None:
            pass  # the page's version query found none of theirs
        elif user.is_authenticated:
            mine = rsvps.filter(member=user).with_waitlist_position().first()
        context["my_rsvp"] = mine
        organizer = is_organizer(user)
        if version is not None and version.is_organizer != organizer:
            self.request._potluck_page_key = None  # the version was wrong: keep nothing
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
        context.update(event_page_context(self.request, event))
        return context


@dataclass(frozen=True)
class EventPageVersion:
    """Which version of an event page a signed-in person sees: everything the page shows
    that is not the same for every member (home/pagecache.py keys cached pages by it).

    Members with the same role and flags and no RSVP and no host duty see the same page; a
    person with an RSVP or named as a host gets a version of their own (person is set).
    """

    event_pk: int
    role: str | None
    is_staff: bool
    is_superuser: bool
    is_organizer: bool
    is_host: bool
    rsvp_pk: int | None
    person: int | None
    # The flags of events.hooks.event_page_version_flags (any set: a version of their own).
    flags: tuple = ()
    # The zone the person chose on /me/: times are shown in it too (events templatetags).
    time_zone: str = ""


def _version_query(now, *, slug: str, user_id: int, group_id: int):
    flags = event_page_version_flags(user_id, group_id)
    return (
        by_slug(Event.objects.rewrite(False).order_by(), slug)
        .annotate(
            my_rsvp=Subquery(
                RSVP.objects.filter(event=OuterRef("pk"), member_id=user_id).values("pk")[:1]
            ),
            is_host=Exists(
                Event.hosts.through.objects.filter(event=OuterRef("pk"), user_id=user_id)
            ),
            role=Subquery(
                Membership.objects.active()
                .filter(group_id=group_id, user_id=user_id)
                .values("role")[:1]
            ),
            may_change=Exists(
                Permission.objects.filter(
                    content_type__app_label="events", codename="change_event"
                ).filter(Q(user__id=user_id) | Q(group__user__id=user_id))
            ),
            **flags,
        )
        .values_list("pk", "my_rsvp", "is_host", "role", "may_change", *flags)[:1]
    )


# Asked on every signed-in visit of an event page: its SQL is built once per process.
_VERSION = CompiledQuery(
    _version_query,
    probes={"slug": "probe-slug-5c1d9", "user_id": -987_654_321, "group_id": -987_654_322},
)


def event_page_version(request, slug: str) -> EventPageVersion | None:
    """One query: the event with this person's RSVP, host duty, role and the permission that
    makes them an organizer (what groups.access.viewer and is_organizer() would read with
    three more); None when the page must be rendered. The page checks on a miss that its
    own lookups agree (EventDetailView), so a disagreement is never stored."""
    user = request.user
    group = getattr(request, "_potluck_group", None)
    if not user.is_authenticated or group is None:
        return None
    row = _VERSION.fetchone(timezone.now(), slug=slug.lower(), user_id=user.pk, group_id=group.pk)
    if row is None:
        return None
    event_pk, rsvp_pk, is_host, role, may_change, *flags = row
    # What ModelBackend.has_perm answers, read in the same query.
    organizer = user.is_active and (user.is_superuser or may_change)
    request._potluck_viewer = Viewer(user, role)  # groups.access.viewer() takes it from here
    version = EventPageVersion(
        event_pk=event_pk,
        role=role,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        is_organizer=organizer,
        is_host=is_host,
        rsvp_pk=rsvp_pk,
        person=user.pk if rsvp_pk is not None or is_host or any(flags) else None,
        flags=tuple(bool(flag) for flag in flags),
        time_zone=getattr(user, "time_zone", ""),
    )
    request._potluck_event_version = version
    return version


def rsvp_breakouts(event: Event, mine: RSVP | None, seats_left: int | None) -> list[Breakout]:
    """The breakouts offered inside the RSVP form: to members going or about to go (not to
    the waitlist, who cannot pick one yet), before the event ends. Prefetched on the page."""
    if event.has_ended or (mine is not None and mine.is_waitlisted):
        return []
    if (mine is None or not mine.is_going) and seats_left == 0:
        return []
    return list(event.breakouts.all())


def _autofocus_first_error(*forms) -> None:
    """The first field with an error gets autofocus, so focus lands next to the message."""
    for form in forms:
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["autofocus"] = True
                return


def render_event_page(request, slug: str, *, status: int, **forms) -> TemplateResponse:
    """The event page again, with a form's errors shown next to the fields that caused them."""
    _autofocus_first_error(*forms.values())
    view = EventDetailView()
    view.setup(request, slug=slug)
    view.object = view.get_object()
    context = view.get_context_data(object=view.object, **forms)
    return TemplateResponse(request, view.template_name, context, status=status)


def _public_event(request, slug: str) -> Event:
    return get_object_or_404(by_slug(Event.objects.visible_to(request.user), slug))


@login_required
@require_POST
def rsvp(request, slug):
    """Going, not going, or a change of guests or answer."""
    event = _public_event(request, slug)
    form = RSVPForm(request.POST, event=event, breakouts=Breakout.objects.filter(event=event))
    if not form.is_valid():
        return render_event_page(request, slug, status=400, rsvp_form=form)
    try:
        if form.cleaned_data["going"]:
            result = services.rsvp_set(
                event=event,
                member=request.user,
                going=True,
                guests=form.guests,
                answer=form.cleaned_data.get("answer", ""),
            )
        else:
            result = services.rsvp_cancel(event=event, member=request.user)
    except ValidationError as error:
        field = "guests" if error.code in GUEST_ERRORS and "guests" in form.fields else None
        form.add_error(field, error)
        return render_event_page(request, slug, status=409, rsvp_form=form)
    if (
        result.status == RSVPStatus.GOING
        and "breakout" in form.fields
        and "breakout" in request.POST
        and (form.breakout.pk if form.breakout else None) != result.breakout_id
    ):
        # The breakout picked in the RSVP form, saved in the same request.
        try:
            services.rsvp_choose_breakout(event=event, member=request.user, breakout=form.breakout)
        except ValidationError as error:
            messages.success(request, _("You're going. See you there!"))
            form.add_error("breakout", error)
            return render_event_page(request, slug, status=409, rsvp_form=form)
    if result.status == RSVPStatus.GOING:
        messages.success(request, _("You're going. See you there!"))
    elif result.status == RSVPStatus.WAITLISTED:
        messages.info(request, _("The event is full, so you're on the waitlist."))
    else:
        messages.info(request, _("Thanks for letting us know you can't come."))
    return redirect(event.get_absolute_url() + "#rsvp")


@login_required
@require_POST
def choose_breakout(request, slug):
    event = _public_event(request, slug)
    form = BreakoutChoiceForm(request.POST, event=event)
    if not form.is_valid():
        return render_event_page(request, slug, status=400, breakout_form=form)
    try:
        services.rsvp_choose_breakout(
            event=event, member=request.user, breakout=form.cleaned_data["breakout"]
        )
    except ValidationError as error:
        form.add_error("breakout", error)
        return render_event_page(request, slug, status=409, breakout_form=form)
    messages.success(request, _("Your breakout discussion is saved."))
    return redirect(event.get_absolute_url() + "#breakouts")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, slug):
    """The door list for organizers and the event's hosts: search, then check in with a tap."""
    event = _public_event(request, slug)
    if not allowed(viewer(request), "rsvp_answers", event=event):
        raise PermissionDenied
    if event.status == EventStatus.DRAFT:
        raise Http404
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            target = get_object_or_404(RSVP, pk=form.cleaned_data["rsvp"], event=event)
            try:
                services.rsvp_set_checked_in(
                    rsvp=target, checked_in=form.cleaned_data["checked_in"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            query = request.POST.get("q", "")
            suffix = f"?{urlencode({'q': query})}" if query else ""
            return redirect(f"{request.path}{suffix}#rsvp-{target.pk}")
    query = request.GET.get("q", "").strip()[:100]
    going = RSVP.objects.filter(event=event).going().select_related("member")
    if query:
        going = going.filter(member__display_name__icontains=query)
    context = {
        "event": event,
        "rsvps": list(going.order_by(Lower("member__display_name"), "pk")),
        "query": query,
        "stats": RSVP.objects.filter(event=event).stats(),
    }
    return TemplateResponse(request, "events/check_in.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_going(request, slug):
    """Organizers and the event's hosts write to everyone going (emailed by the worker)."""
    event = _public_event(request, slug)
    if not allowed(viewer(request), "rsvp_answers", event=event):
        raise PermissionDenied
    if event.status != EventStatus.PUBLISHED:
        raise Http404
    form = OrganizerMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = services.event_message(
            event=event,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            by=request.user,
        )
        messages.success(
            request,
            ngettext(
                "Your message is on its way to %(count)d member going.",
                "Your message is on its way to the %(count)d members going.",
                count,
            )
            % {"count": count},
        )
        return redirect(event.get_absolute_url() + "#rsvp")
    going = RSVP.objects.filter(event=event).going().count()
    status = 400 if request.method == "POST" else 200
    context = {"event": event, "form": form, "going": going}
    return TemplateResponse(request, "events/message.html", context, status=status)


# The order of the host page's table: going, then the waitlist in line, then not going.
STATUS_ORDER = Case(
    When(status=RSVPStatus.GOING, then=0),
    When(status=RSVPStatus.WAITLISTED, then=1),
    default=2,
)


def _members_not_going(event: Event) -> list[tuple[int, str]]:
    going = RSVP.objects.filter(event=event, status=RSVPStatus.GOING, member__isnull=False)
    return list(
        Membership.objects.active()
        .filter(group_id=event.group_id, user__is_active=True)
        .exclude(user__in=going.values("member"))
        .order_by(Lower("user__display_name"), "user_id")
        .values_list("user_id", "user__display_name")
    )


def _group_members(event: Event) -> list[tuple[int, str]]:
    return list(
        Membership.objects.active()
        .filter(group_id=event.group_id, user__is_active=True)
        .order_by(Lower("user__display_name"), "user_id")
        .values_list("user_id", "user__display_name")
    )


def _moved_message(rsvp: RSVP) -> str:
    name = rsvp.member.display_name if rsvp.member else _("A former member")
    if rsvp.status == RSVPStatus.GOING:
        text = _("%(name)s is going now and gets an email about it.") % {"name": name}
        if rsvp.capacity_raised_by:
            text += " " + ngettext(
                "The capacity was raised by %(count)d seat, to %(capacity)d, to make room.",
                "The capacity was raised by %(count)d seats, to %(capacity)d, to make room.",
                rsvp.capacity_raised_by,
            ) % {"count": rsvp.capacity_raised_by, "capacity": rsvp.event.capacity}
        return text
    if rsvp.status == RSVPStatus.WAITLISTED:
        return _("%(name)s is on the waitlist now and gets an email about it.") % {"name": name}
    return _("%(name)s is not going now and gets an email about it.") % {"name": name}


def _attendees_post(request, event: Event, page_url: str):
    """One host action (add, move, no-show, hosts), then back to the page (or its errors)."""
    action = request.POST.get("action")
    anchor = ""
    try:
        if action == "add":
            form = AttendeeAddForm(request.POST, members=_members_not_going(event))
            if not form.is_valid():
                return None, form
            member = get_object_or_404(get_user_model(), pk=form.cleaned_data["member"])
            result = services.rsvp_add(
                event=event, member=member, by=request.user, raise_capacity=form.raise_capacity
            )
            messages.success(request, _moved_message(result))
            anchor = f"#rsvp-{result.pk}"
        elif action == "move":
            form = AttendeeMoveForm(request.POST)
            if not form.is_valid():
                raise SuspiciousOperation("invalid move")
            target = get_object_or_404(RSVP, pk=form.cleaned_data["rsvp"], event=event)
            to, raise_capacity = form.move
            result = services.rsvp_move(
                rsvp=target, to=to, by=request.user, raise_capacity=raise_capacity
            )
            messages.success(request, _moved_message(result))
            anchor = f"#rsvp-{target.pk}"
        elif action == "no_show":
            form = NoShowForm(request.POST)
            if not form.is_valid():
                raise SuspiciousOperation("invalid no-show")
            target = get_object_or_404(RSVP, pk=form.cleaned_data["rsvp"], event=event)
            services.rsvp_mark_no_show(
                rsvp=target, by=request.user, no_show=form.cleaned_data["no_show"]
            )
            anchor = f"#rsvp-{target.pk}"
        elif action == "hosts" and is_organizer(request.user):
            form = EventHostsForm(request.POST, members=_group_members(event))
            if not form.is_valid():
                return None, form
            hosts = get_user_model().objects.filter(pk__in=form.cleaned_data["hosts"])
            services.event_set_hosts(event=event, hosts=hosts, by=request.user)
            messages.success(request, _("The hosts are saved."))
            anchor = "#hosts"
        else:
            raise SuspiciousOperation("unknown action")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect(page_url + anchor), None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendees(request, slug):
    """The host page: everyone who answered, with guests, answers, breakout and check-in;
    hosts add members, move them between Going, Waitlist and Not going, mark no-shows."""
    event = _public_event(request, slug)
    if not allowed(viewer(request), "rsvp_answers", event=event):
        raise PermissionDenied
    if event.status == EventStatus.DRAFT:
        raise Http404
    organizer = is_organizer(request.user)
    forms = {}
    if request.method == "POST":
        response, invalid = _attendees_post(request, event, request.path)
        if response is not None:
            return response
        forms["hosts_form" if isinstance(invalid, EventHostsForm) else "add_form"] = invalid
    now = timezone.now()
    rsvps = list(
        RSVP.objects.filter(event=event)
        .select_related("member", "breakout")
        .order_by(STATUS_ORDER, "waitlist_seq", Lower("member__display_name"), "pk")
    )
    position = 0
    for rsvp in rsvps:
        if rsvp.is_waitlisted:
            position += 1
        rsvp.position = position if rsvp.is_waitlisted else None
        rsvp.moves = [(value, label) for value, label in MOVE_LABELS.items()
                      if MOVES[value][0] != rsvp.status]  # fmt: skip
    members = _members_not_going(event)
    group_members = _group_members(event) if organizer else []
    context = {
        "event": event,
        "rsvps": rsvps,
        "stats": RSVP.objects.filter(event=event).stats(),
        "can_change": event.status == EventStatus.PUBLISHED and not event.is_past(now),
        "can_mark_no_show": event.status == EventStatus.PUBLISHED and event.starts_at <= now,
        "add_form": forms.get("add_form") or AttendeeAddForm(members=members),
        "hosts_form": forms.get("hosts_form")
        or (
            EventHostsForm(
                members=group_members,
                initial={"hosts": [host.pk for host in event.hosts.all()]},
            )
            if organizer
            else None
        ),
    }
    status = 400 if forms else 200
    return TemplateResponse(request, "events/attendees.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_events(request):
    """The member's upcoming RSVPs with their state, and the past events they attended."""
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


@require_safe
def cover_image(request, slug, version, ext):
    """The event's cover for whoever may see the event: published ones for all, drafts for
    organizers (and then never in a shared cache)."""
    event = get_object_or_404(
        by_slug(Event.objects.visible_to(request.user), slug).only("cover_image", "status")
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
