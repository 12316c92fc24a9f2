"""Questions and comments on an event page."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import generations
from core.markdown import markdown_store
from events.models import Event, EventStatus

from ..models import (
    Comment,
)
from .writing import (
    _check_writer,
    _clean_body,
    _edit,
    _is_event_host,
    log_hidden,
    may_moderate_event,
)

# --- Event comments ----------------------------------------------------------------------------


def comment_add(
    *, event: Event, author, body: str, parent: Comment | None = None, now: datetime | None = None
) -> Comment:
    """A member's question or comment on an event, or a reply to one (one level deep)."""
    now = now or timezone.now()
    if event.status == EventStatus.DRAFT:
        raise PermissionDenied(_("This event is not published."))
    with transaction.atomic():
        looking = _check_writer(group=event.group, member=author, now=now)
        if parent is not None:
            parent = Comment.objects.select_for_update().filter(pk=parent.pk).first()
            if parent is None or parent.event_id != event.pk:
                raise ValidationError(_("That comment is not on this event."), code="parent")
            if parent.parent_id is not None:
                parent = parent.parent  # replies stay one level deep: join the conversation
            if parent.is_hidden or parent.is_deleted:
                raise ValidationError(_("That comment is no longer there."), code="parent")
        comment = Comment(
            event=event,
            parent=parent,
            author=author,
            body=_clean_body(body),
            by_host=looking.is_organizer or _is_event_host(event, author),
            created_at=now,
        )
        comment.full_clean()
        markdown_store(comment)
        comment.save()
    return comment


def comment_edit(*, comment: Comment, by, body: str, now: datetime | None = None) -> Comment:
    """The author changes their comment; organizers keep what it said before."""
    return _edit(comment, by=by, now=now, body=_clean_body(body))


def _comment_remove(comment: Comment, now: datetime) -> None:
    """Gone; a comment others replied to stays as a "deleted" marker above the replies."""
    if comment.parent_id is None and comment.replies.filter(deleted_at__isnull=True).exists():
        comment.body = comment.body_html = ""
        comment.deleted_at = now
        comment.pinned = False
        comment.save(update_fields=["body", "body_html", "deleted_at", "pinned"])
        comment.revisions.all().delete()
    else:
        comment.delete()


def comment_delete(*, comment: Comment, by, now: datetime | None = None) -> None:
    """The author deletes their comment."""
    if by is None or comment.author_id != by.pk:
        raise PermissionDenied(_("Only the author can delete this."))
    with transaction.atomic():
        _comment_remove(
            Comment.objects.select_for_update().get(pk=comment.pk), now or timezone.now()
        )


def comment_hide(*, comment: Comment, by, now: datetime | None = None) -> Comment:
    """An organizer or one of the event's hosts hides a comment (and so its replies)."""
    if not may_moderate_event(comment.event, by):
        raise PermissionDenied(_("Only organizers and the event's hosts can hide comments."))
    with transaction.atomic():
        hidden = generations.update(
            Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True),
            hidden_at=now or timezone.now(),
            hidden_by=by,
            pinned=False,
        )
        if hidden:
            log_hidden(group_id=comment.event.group_id, by=by, author=comment.author)
    comment.refresh_from_db()
    return comment


def comment_unhide(*, comment: Comment, by) -> Comment:
    if not may_moderate_event(comment.event, by):
        raise PermissionDenied(_("Only organizers and the event's hosts can show comments."))
    generations.update(Comment.objects.filter(pk=comment.pk), hidden_at=None, hidden_by=None)
    comment.refresh_from_db()
    return comment


def comment_pin(*, comment: Comment, by, pinned: bool = True) -> Comment:
    """Pinned comments come first (an answer everyone should read)."""
    if not may_moderate_event(comment.event, by):
        raise PermissionDenied(_("Only organizers and the event's hosts can pin comments."))
    if pinned and (comment.parent_id is not None or comment.is_hidden or comment.is_deleted):
        raise ValidationError(_("Only a shown comment, not a reply, can be pinned."), code="pin")
    generations.update(Comment.objects.filter(pk=comment.pk), pinned=pinned)
    comment.refresh_from_db()
    return comment
