"""Pages for conversations: an event's comments, the discussion board, announcements.

Views are thin: a form validates, a service writes, the page redirects. Who may see what is
groups.visibility's "comments", "discussions" and "announcements" rules; who may change what
is checked by the services (the author edits; organizers and an event's hosts moderate).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events.models import Event, by_slug
from groups import counts
from groups.access import viewer
from groups.forms import add_service_errors as _errors
from groups.middleware import group_or_404
from groups.visibility import allowed

from . import services
from .forms import CategoryFilterForm, CommentForm, MoveForm, ReplyForm, ReportForm, ThreadForm
from .models import Announcement, Comment, Follow, Mute, Reply, Thread

COMMENTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
REPLIES_PER_PAGE = 50
ANNOUNCEMENTS_PER_PAGE = 20


def _edit_page(request, context: dict):
    """The author's edit form (a comment, discussion or reply); 400 after a refused POST."""
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "conversation/edit.html", context, status=status)


def _members_only(request, rule: str):
    return TemplateResponse(request, "conversation/members_only.html", {"rule": rule}, status=403)


# --- Event comments ----------------------------------------------------------------------------


def may_read_comments(looking, event: Event) -> bool:
    return event.comments_public or allowed(looking, "comments")


def comment_page(event: Event, request, *, number=1, moderator: bool = False):
    """One page of an event's conversation: pinned first, then newest first; each comment
    with its replies, oldest first (three queries: count, page, replies). Hidden ones only
    for moderators (organizers, the event's hosts), who can show them again."""
    top = Comment.objects.filter(event=event, parent__isnull=True)
    replies = Comment.objects.all()
    if not moderator:
        top, replies = top.shown(), replies.shown()
    top = (
        top.select_related("author")
        .prefetch_related(
            Prefetch(
                "replies", queryset=replies.select_related("author").order_by("created_at", "pk")
            )
        )
        .order_by("-pinned", "-created_at", "-pk")
    )
    paginator = counts.paginator(request, top, COMMENTS_PER_PAGE)
    return paginator, paginator.get_page(number)


def _comment_state(request, event: Event) -> dict:
    """What the viewer may do on the event's comments."""
    looking = viewer(request)
    user = request.user
    is_host = user.is_authenticated and any(host.pk == user.pk for host in event.hosts.all())
    muted = looking.is_member and services.is_muted(group=event.group, member=user)
    return {
        "comments_visible": may_read_comments(looking, event),
        "may_comment": looking.is_member and not event.is_draft and not muted,
        "comment_muted": muted,
        "may_moderate_comments": looking.is_organizer or is_host,
        "comments_as_follow_up": event.has_ended,
        # A refused reply is shown under its comment, with what was typed (views.comments).
        "reply_form": None,
        "reply_error_for": None,
    }


def event_comments_context(request, event: Event) -> dict:
    """The event page's comments (registered with events.hooks.event_page_register)."""
    state = _comment_state(request, event)
    if not state["comments_visible"] or event.is_draft:
        return state | {"comment_page": None}
    paginator, page = comment_page(event, request, moderator=state["may_moderate_comments"])
    label = _("Share a link or a thought") if event.has_ended else _("Ask a question")
    return state | {
        "comment_page": page,
        "comment_paginator": paginator,
        "comment_form": CommentForm(label=label),
    }


def event_page_version_flags(user_id, group_id) -> dict:
    """A person who wrote on the event (their edit buttons) or is muted (no form) gets a
    version of the event page of their own (events.views.EventPageVersion)."""
    return {
        "conv_wrote": Exists(Comment.objects.filter(event=OuterRef("pk"), author_id=user_id)),
        "conv_muted": Exists(Mute.objects.filter(group_id=group_id, member_id=user_id)),
    }


def _event(request, slug) -> Event:
    return get_object_or_404(
        by_slug(
            Event.objects.visible_to(request.user).select_related("group"), slug
        ).prefetch_related("hosts")
    )


def _hidden(comment: Comment) -> bool:
    """Hidden, or a reply under a hidden comment (hiding a comment hides its replies)."""
    return comment.is_hidden or (comment.parent is not None and comment.parent.is_hidden)


def _comment(event: Event, pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("author", "parent", "event"), event=event, pk=pk
    )


@require_http_methods(["GET", "HEAD", "POST"])
def comments(request, slug):
    """All of an event's comments, page by page; POST adds one (or a reply, with parent)."""
    event = _event(request, slug)
    state = _comment_state(request, event)
    if not state["comments_visible"]:
        if request.method == "POST" and not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={event.get_absolute_url()}")
        return _members_only(request, "comments")
    label = _("Share a link or a thought") if event.has_ended else _("Ask a question")
    form = CommentForm(label=label)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={event.get_absolute_url()}")
        form = CommentForm(request.POST, label=label)
        parent = None
        if request.POST.get("parent"):
            try:
                parent = Comment.objects.filter(event=event, pk=int(request.POST["parent"])).first()
            except ValueError:
                parent = None
            if parent is None:
                form.add_error(None, _("That comment is no longer there."))
        if form.is_valid():
            try:
                comment = services.comment_add(
                    event=event, author=request.user, body=form.cleaned_data["body"], parent=parent
                )
            except PermissionDenied:
                return _members_only(request, "comments")
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Your comment is posted."))
                return redirect(f"{event.get_absolute_url()}#comment-{comment.pk}")
        status = 400
        if parent is not None and not parent.is_hidden:
            # A refused reply: back on its comment's page, under it, with what was typed.
            top = parent.parent or parent
            return _comment_response(
                request, event, top, state | {"reply_form": form, "reply_error_for": top.pk}
            )
    paginator, page = comment_page(
        event,
        request,
        number=request.GET.get("page"),
        moderator=state["may_moderate_comments"],
    )
    context = state | {
        "event": event,
        "comment_page": page,
        "comment_paginator": paginator,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "comment_form": form,
    }
    return TemplateResponse(request, "conversation/comments.html", context, status=status)


@require_safe
def comment_detail(request, slug, pk):
    """One comment with its replies: its link, and where its author, the moderators and
    members find what they can do with it."""
    event = _event(request, slug)
    looking = viewer(request)
    if not may_read_comments(looking, event):
        return _members_only(request, "comments")
    comment = _comment(event, pk)
    state = _comment_state(request, event)
    if _hidden(comment) and not state["may_moderate_comments"]:
        raise Http404
    return _comment_response(request, event, comment, state)


def _comment_response(request, event: Event, comment: Comment, state: dict, status=None):
    """A comment's own page; 400 when it shows a refused reply."""
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    if not state["may_moderate_comments"]:
        replies = replies.shown()
    # The template reads comment.replies.all, as on the event page: one query, authors joined.
    prefetch_related_objects([comment], Prefetch("replies", queryset=replies))
    context = state | {"event": event, "comment": comment}
    status = 400 if state["reply_form"] is not None else 200
    return TemplateResponse(request, "conversation/comment.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request, slug, pk):
    event = _event(request, slug)
    comment = _comment(event, pk)
    if comment.author_id != request.user.pk or comment.is_deleted:
        raise PermissionDenied
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Your comment is saved."))
            return redirect(f"{event.get_absolute_url()}#comment-{comment.pk}")
    context = {
        "form": form,
        "heading": _("Edit my comment"),
        "save_label": _("Save my comment"),
        "back": f"{event.get_absolute_url()}#comment-{comment.pk}",
    }
    return _edit_page(request, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete(request, slug, pk):
    event = _event(request, slug)
    comment = _comment(event, pk)
    if comment.author_id != request.user.pk or comment.is_deleted:
        raise PermissionDenied
    if request.method == "POST":
        services.comment_delete(comment=comment, by=request.user)
        messages.success(request, _("Your comment is deleted."))
        return redirect(event.get_absolute_url())
    context = {"item": comment, "kind": "comment", "back": f"{event.get_absolute_url()}#comments"}
    return TemplateResponse(request, "conversation/delete.html", context)


@login_required
@require_POST
def comment_moderate(request, slug, pk):
    """Hide, show, pin or unpin: organizers and the event's hosts."""
    event = _event(request, slug)
    comment = _comment(event, pk)
    action = request.POST.get("action")
    try:
        if action == "hide":
            services.comment_hide(comment=comment, by=request.user)
            messages.success(request, _("The comment is hidden."))
        elif action == "show":
            services.comment_unhide(comment=comment, by=request.user)
            messages.success(request, _("The comment is shown again."))
        elif action in ("pin", "unpin"):
            services.comment_pin(comment=comment, by=request.user, pinned=action == "pin")
            messages.success(request, _("Saved."))
        else:
            return TemplateResponse(request, "400.html", status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{event.get_absolute_url()}#comments")


def _report(request, item, back: str, context: dict):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_file(
                item=item,
                by=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Thank you. The organizers will have a look."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    context = context | {"form": form, "item": item, "back": back}
    return TemplateResponse(request, "conversation/report.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_report(request, slug, pk):
    event = _event(request, slug)
    looking = viewer(request)
    if not looking.is_member:
        return _members_only(request, "comments")
    comment = _comment(event, pk)
    if _hidden(comment) or comment.is_deleted:
        raise Http404
    back = f"{event.get_absolute_url()}#comment-{comment.pk}"
    return _report(request, comment, back, {})


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
        "muted": services.is_muted(group=group, member=request.user),
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


# --- Announcements -----------------------------------------------------------------------------


@login_required
@require_safe
def announcements(request):
    group = group_or_404(request)
    if not allowed(viewer(request), "announcements"):
        return _members_only(request, "announcements")
    posts = Announcement.objects.filter(group=group).published().select_related("author")
    # Counted on each visit (one indexed count): what is published depends on the clock, so
    # a total kept per change (groups.counts) would be keyed by every new "now".
    paginator = Paginator(posts.order_by("-send_at", "-pk"), ANNOUNCEMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "announcements": page.object_list,
    }
    return TemplateResponse(request, "conversation/announcements.html", context)


@login_required
@require_safe
def announcement_detail(request, pk):
    group = group_or_404(request)
    if not allowed(viewer(request), "announcements"):
        return _members_only(request, "announcements")
    announcement = get_object_or_404(
        Announcement.objects.filter(group=group).published().select_related("author"), pk=pk
    )
    return TemplateResponse(
        request, "conversation/announcement.html", {"announcement": announcement}
    )
