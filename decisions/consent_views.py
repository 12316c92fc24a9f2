"""Pages for consent proposals: the list, a new one, the detail with every position and reason
(by name: a position is a public argument), and closing with a written outcome."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import add_service_errors as _errors

from . import services
from .forms import DecisionForm, OutcomeForm, PositionForm
from .models import Decision, Position, PositionKind
from .views import members_only

DECISIONS_PER_PAGE = 25


@require_safe
@members_only
def decisions(request, group, looking):
    """Consent proposals, the newest first."""
    rows = Decision.objects.filter(group=group).order_by("-opened_at", "-pk")
    paginator = Paginator(rows, DECISIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "decisions": page.object_list,
        "now": timezone.now(),
        "may_open": services.may_open_polls(group, request.user),
    }
    return TemplateResponse(request, "decisions/decisions.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def decision_new(request, group, looking):
    if not services.may_open_polls(group, request.user):
        raise PermissionDenied
    now = timezone.now().replace(second=0, microsecond=0)
    form = DecisionForm(
        request.POST or None, initial={"closes_at": now + services.REMIND_BEFORE * 7}
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_open(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The proposal is open for positions."))
            return redirect(decision)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "decisions/decision_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def decision_detail(request, group, looking, pk):
    """The proposal, every position with its reason and name, the member's form while open."""
    decision = get_object_or_404(Decision.objects.select_related("created_by"), group=group, pk=pk)
    positions = list(
        Position.objects.filter(decision=decision)
        .select_related("member")
        .order_by("stated_at", "pk")
    )
    mine = next((p for p in positions if p.member_id == request.user.pk), None)
    initial = {"position": mine.position, "reason": mine.reason} if mine else None
    form = PositionForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.position_state(decision=decision, member=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Your position is stated."))
                return redirect(decision)
        status = 400
    counts = {kind: 0 for kind in PositionKind.values}
    for position in positions:
        counts[position.position] += 1
    context = {
        "decision": decision,
        "positions": positions,
        "counts": [(label, counts[value]) for value, label in PositionKind.choices],
        "form": form,
        "is_open": decision.is_open(),
        "mine": mine,
        "close_form": OutcomeForm()
        if looking.is_organizer and decision.closed_at is None
        else None,
    }
    return TemplateResponse(request, "decisions/decision.html", context, status=status)


@require_POST
@members_only
def decision_close(request, group, looking, pk):
    decision = get_object_or_404(Decision, group=group, pk=pk)
    if not looking.is_organizer:
        raise PermissionDenied
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["outcome"]))
        return redirect(decision)
    try:
        services.decision_close(decision=decision, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Closed; those who stated a position are told the outcome."))
    return redirect(decision)
