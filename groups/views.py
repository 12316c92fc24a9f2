from allauth.account.forms import default_token_generator
from allauth.account.utils import url_str_to_user_pk
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import imagefiles

from . import confirmations, services
from .access import viewer
from .forms import GroupDeleteForm, JoinForm
from .middleware import group_or_404
from .models import Membership, PendingAction


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    """The join questions (if the group asks any) and the button; approval makes it a request."""
    group = group_or_404(request)
    membership = Membership.objects.filter(group=group, user=request.user).first()
    if membership is not None and not membership.is_pending:
        return redirect(_next_url(request) or "home")
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        questions=group.join_questions.all(),
    )
    status = 200
    banned = services.is_banned(group=group, user=request.user)
    if request.method == "POST" and membership is None and not banned and form.is_valid():
        try:
            membership = services.membership_request(
                group=group, user=request.user, answers=form.answers
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            if membership.is_pending:
                messages.success(
                    request,
                    _(
                        "Thank you! Your request to join %(group)s is waiting for an "
                        "organizer. We will email you their answer."
                    )
                    % {"group": group.name},
                )
            else:
                messages.success(
                    request, _("Welcome! You are a member of %(group)s.") % {"group": group.name}
                )
            return redirect(_next_url(request) or "home")
    if banned:
        status = 403
    elif request.method == "POST":
        status = 409 if membership is not None else 400
    context = {
        "form": form,
        "pending": membership is not None and membership.is_pending,
        "banned": banned,
        "banned_message": services.banned_message(),
        "next": _next_url(request),
    }
    return TemplateResponse(request, "groups/join.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request):
    """Leaving takes a confirmation; the last organizer is told why they cannot."""
    group = group_or_404(request)
    error = None
    if request.method == "POST":
        try:
            services.membership_leave(group=group, user=request.user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, _("You have left %(group)s.") % {"group": group.name})
            return redirect("home")
    status = 409 if error else 200
    return TemplateResponse(request, "groups/leave.html", {"error": error}, status=status)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /me/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def cover_image(request, version, ext):
    """The group's cover picture: public, like the home page."""
    group = group_or_404(request)
    return imagefiles.image_response(
        request, group.cover_image, version, ext, public=True, shape=imagefiles.COVER
    )


def _organizer_from_link(uidb36: str, key: str):
    """The organizer a one-time link from create_organizer names, or None once it is spent
    (the password set, or a login since: allauth's reset token) or expired."""
    try:
        user = get_user_model().objects.get(pk=url_str_to_user_pk(uidb36), is_active=True)
    except (ValueError, TypeError, OverflowError, ValidationError, ObjectDoesNotExist):
        return None
    return user if default_token_generator.check_token(user, key) else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def organizer_link(request, uidb36, key):
    """create_organizer's one-time link. Opening it (a link scanner, a mail preview, the
    organizer twice) only shows the form; choosing the password spends it, signs the organizer
    in and sends them to the admin (which asks for a second factor first)."""
    user = _organizer_from_link(uidb36, key)
    if user is None:
        return TemplateResponse(request, "groups/organizer_link.html", {"spent": True}, status=410)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()  # the token depends on the password hash: the link is spent
        if Authenticator.objects.filter(user=user).exists():
            # A second factor already: the link never stands in for it.
            messages.success(request, _("Your password is set. Log in with it."))
            return redirect("account_login")
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Your password is set. Next, two-factor sign-in."))
        return redirect("admin:index")
    return TemplateResponse(request, "groups/organizer_link.html", {"form": form, "person": user})


# --- Acts waiting for a second organizer (groups.confirmations) ------------------------------


def _organizer_or_404(request):
    """These pages exist for the group's organizers only: others get a 404, as for a draft."""
    group = group_or_404(request)
    if not viewer(request).is_organizer:
        raise Http404
    return group


@login_required
@require_safe
def actions_pending(request):
    """What organizers asked for and waits for a second one, newest first."""
    group = _organizer_or_404(request)
    actions = (
        PendingAction.objects.waiting().filter(group=group).select_related("requested_by")[:100]
    )
    return TemplateResponse(request, "groups/actions_pending.html", {"actions": actions})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def action_confirm(request, pk):
    """One act another organizer asked for, and the button that does it."""
    group = _organizer_or_404(request)
    action = get_object_or_404(
        PendingAction.objects.select_related("requested_by", "confirmed_by"), pk=pk, group=group
    )
    error = None
    if request.method == "POST":
        try:
            confirmations.action_confirm(action=action, by=request.user)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, _("Confirmed and done: %(what)s") % {"what": action.title})
            return redirect("actions_pending")
    return _action_page(request, action, error)


def _action_page(request, action, error):
    if error:  # what the service found: the page says it as it stands now
        action.refresh_from_db(fields=["status", "confirmed_by", "confirmed_at", "withdrawn_at"])
    context = {
        "action": action,
        "kind": confirmations.action_kind(action.kind),
        "withdraw_url": reverse("action_withdraw", args=[action.pk]),
        "lapsed": action.is_lapsed(),
        "own": action.requested_by_id == request.user.pk,
        "error": error,
    }
    return TemplateResponse(
        request, "groups/action_confirm.html", context, status=409 if error else 200
    )


@login_required
@require_POST
def action_withdraw(request, pk):
    """The organizer who asked takes the request back (logged); nothing is done."""
    group = _organizer_or_404(request)
    action = get_object_or_404(
        PendingAction.objects.select_related("requested_by", "confirmed_by"), pk=pk, group=group
    )
    try:
        confirmations.action_withdraw(action=action, by=request.user)
    except ValidationError as refused:
        return _action_page(request, action, refused.messages[0])
    messages.success(request, _("Withdrawn: %(what)s") % {"what": action.title})
    return redirect("actions_pending")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_delete(request):
    """An organizer asks to delete the group: at once where it has one organizer, otherwise a
    request that waits for a second one (groups.confirmations). The page says what goes."""
    group = _organizer_or_404(request)
    form = GroupDeleteForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        action = confirmations.action_request(
            group=group,
            kind="group_delete",
            target=group.pk,
            title=_("Delete the group %(name)s") % {"name": group.name},
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if action is None:
            messages.success(request, _("The group and everything in it were deleted."))
            return redirect("home")
        messages.success(request, _("Asked: another organizer has to confirm it."))
        return redirect(action.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "groups/group_delete.html", {"form": form, "group": group}, status=status
    )
