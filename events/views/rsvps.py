"""A member's answers: going or not, guests, the breakout."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    ValidationError,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.access import viewer

from .. import services
from ..forms import (
    BreakoutChoiceForm,
    RSVPForm,
)
from ..models import (
    RSVP,
    Breakout,
    Event,
    RSVPStatus,
    by_slug,
)
from .pages import EventDetailView

GUEST_ERRORS = {"too_many_guests", "no_seats_for_guests"}


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
    return TemplateResponse(request, view.get_template_names(), context, status=status)


def _public_event(request, slug: str) -> Event:
    return get_object_or_404(by_slug(Event.objects.visible_to(viewer(request)), slug))


def _rsvp_form(request, event: Event) -> RSVPForm:
    return RSVPForm(request.POST, event=event, breakouts=Breakout.objects.filter(event=event))


def _answered(request, event: Event, form: RSVPForm, result, *, was_going: bool, welcome=""):
    """After the answer is stored: the breakout picked in the same form, the flash message
    (which never repeats the going card's "You're going"), back to the event."""
    going = result.status == RSVPStatus.GOING
    saved = _("Your answer is saved.") if was_going else _("See you there!")
    if (
        going
        and "breakout" in form.fields
        and "breakout" in request.POST
        and (form.breakout.pk if form.breakout else None) != result.breakout_id
    ):
        # The breakout picked in the RSVP form, saved in the same request.
        try:
            services.rsvp_choose_breakout(event=event, member=request.user, breakout=form.breakout)
        except ValidationError as error:
            messages.success(request, f"{welcome} {saved}".strip())
            form.add_error("breakout", error)
            return render_event_page(request, event.slug, status=409, rsvp_form=form)
    if going:
        messages.success(request, f"{welcome} {saved}".strip())
    elif result.status == RSVPStatus.WAITLISTED:
        waitlisted = _("The event is full, so you're on the waitlist.")
        messages.info(request, f"{welcome} {waitlisted}".strip())
    else:
        messages.info(request, _("Thanks for letting us know you can't come."))
    return redirect(event.get_absolute_url() + "#rsvp")


def _refused(request, event: Event, form: RSVPForm, error: ValidationError):
    field = "guests" if error.code in GUEST_ERRORS and "guests" in form.fields else None
    form.add_error(field, error)
    return render_event_page(request, event.slug, status=409, rsvp_form=form)


@login_required
@require_POST
def rsvp(request, slug):
    """Going, not going, or a change of guests or answer."""
    event = _public_event(request, slug)
    form = _rsvp_form(request, event)
    if not form.is_valid():
        return render_event_page(request, slug, status=400, rsvp_form=form)
    was_going = RSVP.objects.filter(
        event=event, member=request.user, status=RSVPStatus.GOING
    ).exists()
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
        return _refused(request, event, form, error)
    return _answered(request, event, form, result, was_going=was_going)


@login_required
@require_POST
def join_and_go(request, slug):
    """ "Join and go": a signed-in person who is not a member joins the open group and says
    they are going in this one POST (events.services.rsvp_join_and_go)."""
    event = _public_event(request, slug)
    form = _rsvp_form(request, event)
    if not form.is_valid():
        return render_event_page(request, slug, status=400, rsvp_form=form)
    try:
        result = services.rsvp_join_and_go(
            event=event,
            member=request.user,
            guests=form.guests,
            answer=form.cleaned_data.get("answer", ""),
        )
    except ValidationError as error:
        return _refused(request, event, form, error)
    welcome = _("Welcome to %(group)s!") % {"group": request.group.name}
    return _answered(request, event, form, result, was_going=False, welcome=welcome)


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
