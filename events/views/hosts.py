"""What hosts and organizers do on the site: check-in, messages, the attendees page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.db.models import Case, When
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from groups.access import viewer
from groups.models import Membership
from groups.visibility import allowed

from .. import services
from ..forms import (
    MOVE_LABELS,
    MOVES,
    AttendeeAddForm,
    AttendeeMoveForm,
    CheckInForm,
    EventHostsForm,
    NoShowForm,
    OrganizerMessageForm,
)
from ..models import (
    RSVP,
    Event,
    EventStatus,
    RSVPStatus,
)
from .rsvps import _public_event


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
        elif action == "hosts" and viewer(request).is_organizer:
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
    organizer = viewer(request).is_organizer
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
        rsvp.moves = [
            (value, label) for value, label in MOVE_LABELS.items() if MOVES[value][0] != rsvp.status
        ]
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
