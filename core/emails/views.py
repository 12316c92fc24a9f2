"""The unsubscribe link of every email a member can turn off: it works without logging in."""

from django.contrib.auth import get_user_model
from django.core import signing
from django.http import Http404
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .message import read_unsubscribe_token


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
        setattr(user, kind.preference, False)
        user.save(update_fields=[kind.preference])
        done = True
    return TemplateResponse(request, "emails/unsubscribe.html", {"kind": kind, "done": done})
