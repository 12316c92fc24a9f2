"""Links in emails that work without logging in: unsubscribe, and "I can't make it"."""

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .models import RSVP, EmailKind, RSVPStatus
from .notifications import PREFERENCES, read_cant_make_it_token, read_unsubscribe_token

CANT_MAKE_IT_MAX_AGE = 60 * 60 * 24 * 14


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows a one-button page; POST (the button, or a mail client's one-click) does it."""
    try:
        user_pk, kind = read_unsubscribe_token(token)
    except signing.BadSignature:  # includes SignatureExpired
        return TemplateResponse(request, "emails/link_invalid.html", status=400)
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        raise Http404
    done = False
    if request.method == "POST":
        setattr(user, PREFERENCES[kind], False)
        user.save(update_fields=[PREFERENCES[kind]])
        done = True
    context = {"kind": EmailKind(kind), "done": done}
    return TemplateResponse(request, "emails/unsubscribe.html", context)


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
