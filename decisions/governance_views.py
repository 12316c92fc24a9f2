"""Pages that open an election (organizers) and a settings poll (whoever may open polls)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from groups.models import Membership

from . import services
from .governance_forms import ElectionForm, SettingPollForm
from .views import members_only


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def election_new(request, group, looking):
    if not looking.is_organizer:
        raise PermissionDenied
    now = timezone.now().replace(second=0, microsecond=0)
    members = (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.active().filter(group=group).values("user_id"),
            is_active=True,
        )
        .only("pk", "display_name")
        .order_by("display_name", "pk")
    )
    initial = {
        "closes_at": now + services.REMIND_BEFORE * 14,
        "term_ends": now + services.REMIND_BEFORE * 365,
    }
    form = ElectionForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.election_open(
                group=group,
                by=request.user,
                role=data["role"],
                seats=data["seats"],
                candidates=list(data["candidates"]),
                closes_at=data["closes_at"],
                term_ends=data["term_ends"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The election is open."))
            return redirect(poll)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "decisions/election_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def setting_poll_new(request, group, looking):
    if not services.may_open_polls(group, request.user):
        raise PermissionDenied
    now = timezone.now().replace(second=0, microsecond=0)
    form = SettingPollForm(
        request.POST or None, initial={"closes_at": now + services.REMIND_BEFORE * 7}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.setting_poll_open(
                group=group,
                by=request.user,
                setting=data["setting"],
                value=data["value"],
                closes_at=data["closes_at"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The settings poll is open."))
            return redirect(poll)
    context = {"form": form, "group": group}
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "decisions/setting_poll_new.html", context, status=status)
