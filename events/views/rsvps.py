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
