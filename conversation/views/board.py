"""The members' discussion board: threads and replies."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import counts
from core.forms import add_service_errors as _errors
from core.generations import request_keep_until
from groups.access import viewer
from groups.middleware import group_or_404
from groups.visibility import allowed

from .. import services
from ..forms import CategoryFilterForm, MoveForm, ReplyForm, ThreadForm
from ..models import Follow, Reply, Thread
from .common import REPLIES_PER_PAGE, THREADS_PER_PAGE, _edit_page, _members_only, _report

# --- Discussions -------------------------------------------------------------------------------


def board_member(view):
    """Discussions are for members: the view gets the group and the viewer after the check."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        group = group_or_404(request)
        looking = viewer(request)
        if not allowed(looking, "discussions"):
            return _members_only(request, "discussions")
        return view(request, group, looking, *args, **kwargs)

    return wrapper


@login_required
@require_safe
@board_member
def board(request, group, looking):
    """The members' discussion board: pinned first, then newest activity first."""
    form = CategoryFilterForm(request.GET or None, group=group)
    threads = Thread.objects.filter(group=group).select_related("author", "category")
    if not looking.is_organizer:
        threads = threads.shown()
    category = form.cleaned_data.get("category") if form.is_valid() else None
    if category is not None:
        threads = threads.filter(category=category)
    paginator = counts.paginator(request, threads.board_order(), THREADS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "category": category,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "threads": page.object_list,
        "muted": services.is_muted(group=group, member=request.user),
    }
    return TemplateResponse(request, "conversation/board.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def thread_new(request, group, looking):
    form = ThreadForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_start(
                group=group,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                category=form.cleaned_data.get("category"),
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Your discussion is started. You follow it."))
            return redirect(thread)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "muted": services.is_muted(group=group, member=request.user)}
    return TemplateResponse(request, "conversation/thread_new.html", context, status=status)


def _thread(request, pk, *, looking) -> Thread:
    group = group_or_404(request)
    thread = get_object_or_404(
        Thread.objects.select_related("author", "category", "group"), group=group, pk=pk
    )
    if thread.is_hidden and not looking.is_organizer:
        raise Http404
    return thread


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def thread_detail(request, group, looking, pk):
    """A discussion, its replies page by page (oldest first), and the reply form."""
    thread = _thread(request, pk, looking=looking)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                reply = services.thread_reply(
                    thread=thread, author=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Your reply is posted. You follow this discussion."))
                return redirect(reply)
        status = 400
    muted = services.is_muted(group=group, member=request.user)
    if muted:
        # A mute may end by the clock: the page is never kept (home/pagecache.py).
        request_keep_until(request, timezone.now())
    replies = thread.replies.select_related("author").order_by("created_at", "pk")
    if not looking.is_organizer:
        replies = replies.shown()
    paginator = counts.paginator(request, replies, REPLIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "thread": thread,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "replies": page.object_list,
        "form": form,
        "following": Follow.objects.filter(thread=thread, member=request.user).exists(),
        "muted": muted,
        "is_organizer": looking.is_organizer,
        "move_form": MoveForm(group=group, initial={"category": thread.category_id})
        if looking.is_organizer
        else None,
    }
    return TemplateResponse(request, "conversation/thread.html", context, status=status)


@login_required
@require_safe
@board_member
def reply_detail(request, group, looking, pk, reply_pk):
    """A reply's own address: the page of the discussion it is on, at the reply."""
    thread = _thread(request, pk, looking=looking)
    reply = get_object_or_404(Reply, thread=thread, pk=reply_pk)
    if reply.is_hidden and not looking.is_organizer:
        raise Http404
    before = Reply.objects.filter(thread=thread, created_at__lt=reply.created_at)
    if not looking.is_organizer:
        before = before.shown()
    number = before.count() // REPLIES_PER_PAGE + 1
    query = f"?page={number}" if number > 1 else ""
    return redirect(f"{thread.get_absolute_url()}{query}#reply-{reply.pk}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def thread_edit(request, group, looking, pk):
    thread = _thread(request, pk, looking=looking)
    if thread.author_id != request.user.pk or thread.is_deleted:
        raise PermissionDenied
    form = ThreadForm(
        request.POST or None,
        group=group,
        with_category=False,
        initial={"title": thread.title, "body": thread.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.thread_edit(
                thread=thread,
                by=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Your discussion is saved."))
            return redirect(thread)
    context = {
        "form": form,
        "heading": _("Edit my discussion"),
        "save_label": _("Save my discussion"),
        "back": thread.get_absolute_url(),
    }
    return _edit_page(request, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def thread_delete(request, group, looking, pk):
    thread = _thread(request, pk, looking=looking)
    if thread.author_id != request.user.pk or thread.is_deleted:
        raise PermissionDenied
    if request.method == "POST":
        services.thread_delete(thread=thread, by=request.user)
        messages.success(request, _("Your discussion is deleted."))
        return redirect("conversation:board")
    context = {"item": thread, "kind": "thread", "back": thread.get_absolute_url()}
    return TemplateResponse(request, "conversation/delete.html", context)


@login_required
@require_POST
@board_member
def thread_follow(request, group, looking, pk):
    thread = _thread(request, pk, looking=looking)
    follow = request.POST.get("follow") == "1"
    services.thread_follow(thread=thread, member=request.user, follow=follow)
    messages.success(
        request,
        _("You follow this discussion.") if follow else _("You no longer follow this discussion."),
    )
    return redirect(thread)


@login_required
@require_POST
@board_member
def thread_moderate(request, group, looking, pk):
    """Organizers: pin, unpin, lock, unlock, hide, show, move."""
    thread = _thread(request, pk, looking=looking)
    action = request.POST.get("action")
    changes = {
        "pin": {"pinned": True},
        "unpin": {"pinned": False},
        "lock": {"locked": True},
        "unlock": {"locked": False},
        "hide": {"hidden": True},
        "show": {"hidden": False},
    }.get(action)
    if action == "move":
        if not looking.is_organizer:
            raise PermissionDenied
        form = MoveForm(request.POST, group=group)
        if not form.is_valid():
            messages.error(request, _("Choose one of the categories."))
            return redirect(thread)
        changes = {"category": form.cleaned_data["category"]}
    if changes is None:
        return TemplateResponse(request, "400.html", status=400)
    services.thread_moderate(thread=thread, by=request.user, **changes)
    messages.success(request, _("Saved."))
    return redirect(thread)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def thread_report(request, group, looking, pk):
    thread = _thread(request, pk, looking=looking)
    if thread.is_deleted:
        raise Http404
    return _report(request, thread, thread.get_absolute_url(), {})


def _reply(request, pk, reply_pk, *, looking) -> Reply:
    thread = _thread(request, pk, looking=looking)
    reply = get_object_or_404(Reply.objects.select_related("thread"), thread=thread, pk=reply_pk)
    if reply.is_hidden and not looking.is_organizer:
        raise Http404
    return reply


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def reply_edit(request, group, looking, pk, reply_pk):
    reply = _reply(request, pk, reply_pk, looking=looking)
    if reply.author_id != request.user.pk:
        raise PermissionDenied
    form = ReplyForm(request.POST or None, initial={"body": reply.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_edit(reply=reply, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Your reply is saved."))
            return redirect(reply)
    context = {
        "form": form,
        "heading": _("Edit my reply"),
        "save_label": _("Save my reply"),
        "back": reply.get_absolute_url(),
    }
    return _edit_page(request, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def reply_delete(request, group, looking, pk, reply_pk):
    reply = _reply(request, pk, reply_pk, looking=looking)
    if reply.author_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST":
        services.reply_delete(reply=reply, by=request.user)
        messages.success(request, _("Your reply is deleted."))
        return redirect(reply.thread)
    context = {"item": reply, "kind": "reply", "back": reply.get_absolute_url()}
    return TemplateResponse(request, "conversation/delete.html", context)


@login_required
@require_POST
@board_member
def reply_moderate(request, group, looking, pk, reply_pk):
    reply = _reply(request, pk, reply_pk, looking=looking)
    action = request.POST.get("action")
    if action not in ("hide", "show"):
        return TemplateResponse(request, "400.html", status=400)
    services.reply_hide(reply=reply, by=request.user, hidden=action == "hide")
    messages.success(request, _("Saved."))
    return redirect(reply.thread)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@board_member
def reply_report(request, group, looking, pk, reply_pk):
    reply = _reply(request, pk, reply_pk, looking=looking)
    return _report(request, reply, reply.get_absolute_url(), {})
