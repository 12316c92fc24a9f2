"""The "I can't make it" link of reminders and confirmations: it works without logging in.

The unsubscribe link of every email is core's (core/emails/views.py)."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import services
from .emails import read_cant_make_it_token
from .models import RSVP, RSVPStatus

CANT_MAKE_IT_MAX_AGE = 60 * 60 * 24 * 14


@require_http_methods(["GET", "HEAD", "POST"])
def cant_make_it(request, token):
    """From the reminder: confirm, then the seat goes to the next person waiting."""
    try:
        rsvp_pk, user_pk = read_cant_make_it_token(token, max_age=CANT_MAKE_IT_MAX_AGE)
    except signing.BadSignature:
        return TemplateResponse(request, "emails/link_invalid.html", status=400)
    rsvp = (
        RSVP.objects.select_related("event", "member").filter(pk=rsvp_pk, member_id=user_pk).first()
    )
    if rsvp is None or rsvp.event.starts_at <= timezone.now():
        return TemplateResponse(request, "emails/link_invalid.html", status=400)
    if request.method == "POST":
        try:
            services.rsvp_cancel(event=rsvp.event, member=rsvp.member)
        except ValidationError:
            return TemplateResponse(request, "emails/link_invalid.html", status=400)
        return redirect(f"{request.path}?done=1")
    context = {
        "rsvp": rsvp,
        "event": rsvp.event,
        "done": request.GET.get("done") == "1" or rsvp.status == RSVPStatus.NOT_GOING,
    }
    return TemplateResponse(request, "emails/cant_make_it.html", context)
