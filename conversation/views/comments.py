"""Questions and comments on an event page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import counts
from core.forms import add_service_errors as _errors
from events.models import Event, by_slug
from groups.access import viewer
from groups.visibility import allowed

from .. import services
from ..forms import CommentForm
from ..models import Comment, Mute
from .common import COMMENTS_PER_PAGE, _edit_page, _members_only, _report

# --- Event comments ----------------------------------------------------------------------------


def may_read_comments(looking, event: Event) -> bool:
    return allowed(looking, "comments", event=event)


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
    """The event page's comments (registered on events.hooks.event_page_context)."""
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
            Event.objects.visible_to(viewer(request)).select_related("group"), slug
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
