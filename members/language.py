"""The footer's language switch: Django's set_language, which also remembers the choice of a
signed-in member (their emails follow it)."""

from django.utils.translation import check_for_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .services import member_set_language


# No CSRF token: the switch is on every page, and a page with a token cannot be served from
# the cache of public pages nor compressed with brotli (core/compression.py). A forged post
# can only change the reader's language, which the switch changes back.
@csrf_exempt
@require_POST
def language(request):
    response = set_language(request)
    chosen = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(chosen):
        member_set_language(member=request.user, language=chosen)
    return response
