"""Pages for deciding together: proposals and polls (members only; the transparency log is
decisions.log_views).

Views are thin: a form validates, a service writes, the page redirects. Who may see what is
groups.visibility's "proposals", "ballots" and "guest_contact" rules; who may change what is
checked by the services.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import add_service_errors as _errors
from core.generations import request_keep_until
from events.models import Event, EventStatus
from groups.access import viewer
from groups.confirmations import action_request
from groups.middleware import group_or_404
from groups.visibility import allowed

from . import secrecy, services
from .counting import Method
from .forms import (
    BallotForm,
    CloseForm,
    DeclineForm,
    OutcomeForm,
    PollForm,
    ProposalFilterForm,
    ProposalForm,
    ReceiptForm,
)
from .models import Poll, Proposal, ProposalStatus, Support

PROPOSALS_PER_PAGE = 25
POLLS_PER_PAGE = 25


def members_only(view):
    """Deciding is for members: the view gets the group and the viewer after the check."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        group = group_or_404(request)
        looking = viewer(request)
        if not allowed(looking, "proposals"):
            return TemplateResponse(request, "decisions/members_only.html", status=403)
        return view(request, group, looking, *args, **kwargs)

    return wrapper


# --- The event page ----------------------------------------------------------------------------


def event_proposal_context(request, event: Event) -> dict:
    """The proposal an event came from, credited on its page to members (events.hooks)."""
    if event.is_draft or not allowed(viewer(request), "proposals"):
        return {"event_proposal": None}
    proposal = Proposal.objects.filter(event=event).select_related("author").order_by("pk").first()
    return {"event_proposal": proposal}


# --- Proposals ---------------------------------------------------------------------------------


@require_safe
@members_only
def proposals(request, group, looking):
    """Proposals, most supported first; filtered by kind and status (open and planned unless
    asked), each with whether the viewer supports it (one query for the page)."""
    form = ProposalFilterForm(request.GET or None)
    rows = Proposal.objects.filter(group=group)
    kind = status = ""
    if form.is_valid():
        kind, status = form.cleaned_data["kind"], form.cleaned_data["status"]
    rows = rows.filter(kind=kind) if kind else rows
    if status:
        rows = rows.filter(status=status)
    else:
        rows = rows.filter(status__in=[ProposalStatus.OPEN, ProposalStatus.PLANNED])
    rows = rows.select_related("author").annotate(
        supported=Exists(Support.objects.filter(proposal=OuterRef("pk"), member=request.user))
    )
    paginator = Paginator(rows.by_support(), PROPOSALS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "proposals": page.object_list,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "decisions/proposals.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def proposal_new(request, group, looking):
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_add(group=group, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Thank you: your proposal is up for support."))
            return redirect(proposal)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "decisions/proposal_new.html", {"form": form}, status=status)


def _proposal(group, pk) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("author", "event", "thread"), group=group, pk=pk
    )


@require_safe
@members_only
def proposal_detail(request, group, looking, pk):
    proposal = _proposal(group, pk)
    return _proposal_page(request, proposal, looking)


def _proposal_page(request, proposal, looking, *, decline_form=None, status=200):
    thread = proposal.thread
    context = {
        "proposal": proposal,
        "supported": Support.objects.filter(proposal=proposal, member=request.user).exists(),
        "may_support": proposal.author_id != request.user.pk
        and proposal.status in (ProposalStatus.OPEN, ProposalStatus.PLANNED),
        "sees_contact": allowed(looking, "guest_contact", owner=proposal.author),
        "may_decide": looking.is_organizer,
        "decline_form": decline_form or DeclineForm(),
        "thread": thread if thread is not None and not thread.is_hidden else None,
        "event_visible": proposal.event is not None
        and (proposal.event.status != EventStatus.DRAFT or looking.is_organizer),
    }
    return TemplateResponse(request, "decisions/proposal.html", context, status=status)


@require_POST
@members_only
def proposal_support(request, group, looking, pk):
    proposal = _proposal(group, pk)
    try:
        if request.POST.get("support") == "1":
            services.proposal_support(proposal=proposal, member=request.user)
            messages.success(request, _("You support this proposal."))
        else:
            services.proposal_withdraw_support(proposal=proposal, member=request.user)
            messages.success(request, _("You no longer support this proposal."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(proposal)


@require_POST
@members_only
def proposal_decide(request, group, looking, pk):
    """Organizers: planned, declined (with a reason), a draft event, or open again."""
    proposal = _proposal(group, pk)
    if not looking.is_organizer:
        raise PermissionDenied
    action = request.POST.get("action")
    if action == "decline":
        form = DeclineForm(request.POST)
        if not form.is_valid():
            return _proposal_page(request, proposal, looking, decline_form=form, status=400)
        services.proposal_decline(proposal=proposal, by=request.user, **form.cleaned_data)
        messages.success(request, _("Declined. Members can read your reason."))
        return redirect(proposal)
    if action == "plan":
        services.proposal_plan(proposal=proposal, by=request.user)
        messages.success(request, _("Marked as planned."))
    elif action == "reopen":
        services.proposal_reopen(proposal=proposal, by=request.user)
        messages.success(request, _("Open again for support."))
    elif action == "event":
        try:
            event = services.proposal_to_event(proposal=proposal, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(proposal)
        messages.success(request, _("A draft event is ready: set its date and publish it."))
        return redirect("admin:events_event_change", event.pk)
    else:
        return TemplateResponse(request, "400.html", status=400)
    return redirect(proposal)


# --- Polls -------------------------------------------------------------------------------------


@require_safe
@members_only
def polls(request, group, looking):
    """Polls that have opened, those still open first (closing soonest), then the closed."""
    now = timezone.now()
    rows = Poll.objects.filter(group=group).visible_at(now).order_by("-closes_at", "-pk")
    paginator = Paginator(rows, POLLS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "polls": page.object_list,
        "now": now,
        "may_open": services.may_open_polls(group, request.user),
        "may_open_election": looking.is_organizer,
    }
    return TemplateResponse(request, "decisions/polls.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def poll_new(request, group, looking):
    if not services.may_open_polls(group, request.user):
        raise PermissionDenied
    # Times are shown and read in the group's zone (groups.middleware.GroupTimezoneMiddleware).
    now = timezone.now().replace(second=0, microsecond=0)
    events = Event.objects.filter(group=group, status=EventStatus.PUBLISHED, ends_at__gt=now)
    initial = {"opens_at": now, "closes_at": now + services.REMIND_BEFORE * 7}
    form = PollForm(request.POST or None, events=events.order_by("starts_at"), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.poll_open(
                group=group,
                by=request.user,
                question=data["question"],
                details=data["details"],
                options=data["options"],
                question_es=data["question_es"],
                details_es=data["details_es"],
                options_es=data["options_es"],
                method=data["method"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                voters=data["voters"],
                event=data["event"],
                attended_k=data["attended_k"],
                attended_n=data["attended_n"],
                results_while_open=data["results_while_open"],
                dots=data["dots"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The poll is open."))
            return redirect(poll)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "decisions/poll_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@members_only
def poll_detail(request, group, looking, pk):
    """The question, the ballot (while open, for those who may vote), and the results (once
    closed, or while open if the poll says so): counts only, never who chose what."""
    return _poll_page(request, group, looking, pk, ballot_posted=request.method == "POST")


def _poll_page(request, group, looking, pk, *, ballot_posted, outcome_form=None, status=200):
    poll = get_object_or_404(
        Poll.objects.select_related("event", "election", "setting_poll"), group=group, pk=pk
    )
    now = timezone.now()
    if poll.opens_at > now and not looking.is_organizer:
        raise Http404
    options = list(poll.options.all())
    voted = services.has_voted(poll, request.user)
    form = BallotForm(request.POST if ballot_posted else None, poll=poll, options=options)
    if ballot_posted:
        if form.is_valid():
            try:
                cast = services.ballot_cast(
                    poll=poll,
                    member=request.user,
                    choices=form.cleaned_data["ordered"],
                    receipt=form.cleaned_data["receipt"],
                )
            except ValidationError as error:
                form.add_error(None, list(error.messages))
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if cast.receipt is None:
                    messages.success(request, _("Your ballot is changed."))
                    return redirect(poll)
                # Shown once: the site keeps only its keyed hash, this page is not cached.
                context = {"poll": poll, "receipt": cast.receipt, "receipt_form": ReceiptForm()}
                response = TemplateResponse(request, "decisions/poll_receipt.html", context)
                response["Cache-Control"] = "no-store"
                return response
        status = 400
    # A cached copy of the page (home/pagecache.py) ends when the poll opens or closes.
    moments = [moment for moment in (poll.opens_at, poll.closes_at) if moment > now]
    request_keep_until(request, min(moments, default=None))
    results = services.poll_results_shown(poll=poll, now=now)
    context = {
        "poll": poll,
        "options": options,
        "form": form,
        "voted": voted,
        "is_open": poll.is_open(now),
        "may_vote": poll.is_open(now) and services.may_vote(poll, request.user),
        "results": results,
        "results_wait": results is None and poll.results_while_open and poll.is_open(now),
        "results_from": secrecy.RESULTS_FROM,
        "ballot_count": poll.ballots.count() if results is None and looking.is_organizer else None,
        "is_ranked": poll.method == Method.RANKED,
        "tie_break_rule": services.TIE_RULES.get(poll.method),
        "may_close": looking.is_organizer and poll.is_open(now),
        **services.poll_governance(poll, results_shown=results is not None),
        "server_knows": secrecy.SERVER_KNOWS,
        "server_cannot_know": secrecy.SERVER_CANNOT_KNOW,
        "close_form": CloseForm(),
        "outcome_form": outcome_form
        or (
            OutcomeForm()
            if looking.is_organizer and poll.is_closed(now) and not poll.outcome
            else None
        ),
        "may_make_event": looking.is_organizer
        and poll.method == Method.DATES
        and results is not None
        and results.winner is not None
        and poll.is_closed(now)
        and poll.became_event_id is None,
    }
    return TemplateResponse(request, "decisions/poll.html", context, status=status)


@require_POST
@members_only
def poll_receipt_email(request, group, looking, pk):
    """Emails the member the receipt their browser sent (the button under it)."""
    poll = get_object_or_404(Poll, group=group, pk=pk)
    form = ReceiptForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give your receipt."))
        services.ballot_receipt_email(
            poll=poll, member=request.user, receipt=form.cleaned_data["receipt"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your receipt is on its way to your email address."))
    return redirect(poll)


@require_POST
@members_only
def poll_close(request, group, looking, pk):
    poll = get_object_or_404(Poll, group=group, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["outcome"]))
        return redirect(poll)
    try:
        services.poll_close(poll=poll, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The poll is closed; the results are shown."))
    return redirect(poll)


@require_POST
@members_only
def poll_outcome(request, group, looking, pk):
    """Organizers: the written outcome of a poll that closed without one."""
    poll = get_object_or_404(Poll.objects.select_related("event"), group=group, pk=pk)
    if not looking.is_organizer:
        raise PermissionDenied
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.poll_outcome_set(poll=poll, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The outcome is written; those who voted are told."))
            return redirect(poll)
    return _poll_page(
        request, group, looking, pk, ballot_posted=False, outcome_form=form, status=400
    )


@require_POST
@members_only
def poll_event(request, group, looking, pk):
    """Organizers: a closed dates poll's winning time as a draft event."""
    poll = get_object_or_404(Poll, group=group, pk=pk)
    if not looking.is_organizer:
        raise PermissionDenied
    try:
        event = services.poll_to_event(poll=poll, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(poll)
    messages.success(
        request, _("A draft event is ready at the chosen time: check it and publish it.")
    )
    return redirect("admin:events_event_change", event.pk)


@require_POST
@members_only
def poll_cancel(request, group, looking, pk):
    """An organizer ends an open poll without a result: at once where the group has one
    organizer, otherwise when a second one confirms it (groups.confirmations)."""
    poll = get_object_or_404(Poll, group=group, pk=pk)
    if not looking.is_organizer:
        raise PermissionDenied
    if poll.is_closed():
        messages.error(request, _("This poll has closed with its result; it cannot be cancelled."))
        return redirect(poll)
    try:
        waiting = action_request(
            group=group,
            kind="poll_cancel",
            target=poll.pk,
            title=_("Cancel the poll “%(question)s”") % {"question": poll.question},
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(poll)
    if waiting is None:
        messages.success(request, _("The poll is cancelled, without a result."))
        return redirect("decisions:polls")
    messages.warning(
        request, _("Waiting for a second organizer, who confirms it from the admin home.")
    )
    return redirect(poll)
