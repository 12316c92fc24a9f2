"""The members' discussion board: threads, replies, following."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from core.markdown import markdown_store
from groups.access import viewer_for
from groups.models import Group, Membership

from ..emails import ConversationEmail
from ..models import (
    Category,
    Follow,
    Reply,
    Thread,
)
from .writing import _check_writer, _clean_body, _edit, _require_organizer, log_hidden

# --- Discussions -------------------------------------------------------------------------------


def thread_start(
    *,
    group: Group,
    author,
    title: str,
    body: str,
    category: Category | None = None,
    now: datetime | None = None,
) -> Thread:
    """A new discussion on the board; its author follows it."""
    now = now or timezone.now()
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the discussion a title.")}, code="empty")
    if category is not None and category.group_id != group.pk:
        raise ValidationError({"category": _("Choose one of this group's categories.")})
    with transaction.atomic():
        _check_writer(group=group, member=author, now=now)
        thread = Thread(
            group=group,
            category=category,
            author=author,
            title=title,
            body=_clean_body(body),
            created_at=now,
            last_activity_at=now,
        )
        thread.full_clean()
        markdown_store(thread)
        thread.save()
        Follow.objects.create(thread=thread, member=author, created_at=now)
    return thread


def _followers_to_email(thread: Thread, *, author) -> list[int]:
    """Followers who want an email per reply: active members, not the reply's author."""
    members = Membership.objects.active().filter(group_id=thread.group_id).values("user_id")
    return list(
        Follow.objects.filter(thread=thread, member__in=members)
        .exclude(member=author)
        .filter(member__is_active=True, member__notify_discussions=True)
        .filter(member__discussion_digest=False)
        .values_list("member_id", flat=True)
    )


def thread_reply(*, thread: Thread, author, body: str, now: datetime | None = None) -> Reply:
    """A reply in a discussion: followers get an email (or it waits for their digest); the
    author follows the discussion from now on."""
    now = now or timezone.now()
    with transaction.atomic():
        _check_writer(group=thread.group, member=author, now=now)
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        if thread.is_hidden or thread.is_deleted:
            raise ValidationError(_("This discussion is no longer there."), code="gone")
        if thread.locked:
            raise ValidationError(
                _("The organizers have locked this discussion: no new replies."), code="locked"
            )
        reply = Reply(thread=thread, author=author, body=_clean_body(body), created_at=now)
        reply.full_clean()
        markdown_store(reply)
        reply.save()
        generations.update(
            Thread.objects.filter(pk=thread.pk),
            reply_count=F("reply_count") + 1,
            last_activity_at=now,
        )
        Follow.objects.get_or_create(thread=thread, member=author, defaults={"created_at": now})
        emails_queue(
            kind=ConversationEmail.REPLY,
            user_ids=_followers_to_email(thread, author=author),
            params={"reply_id": reply.pk},
        )
    return reply


def thread_edit(
    *, thread: Thread, by, title: str, body: str, now: datetime | None = None
) -> Thread:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the discussion a title.")}, code="empty")
    return _edit(thread, by=by, now=now, title=title, body=_clean_body(body))


def _thread_remove(thread: Thread, now: datetime) -> None:
    """Gone; a discussion others replied to keeps their replies under a "deleted" opening."""
    others = thread.replies.exclude(author_id=thread.author_id)
    if thread.author_id is None or others.exists():
        thread.title = ""
        thread.body = thread.body_html = ""
        thread.deleted_at = now
        thread.save(update_fields=["title", "body", "body_html", "deleted_at"])
        thread.revisions.all().delete()
    else:
        thread.delete()


def thread_delete(*, thread: Thread, by, now: datetime | None = None) -> None:
    if by is None or thread.author_id != by.pk:
        raise PermissionDenied(_("Only the author can delete this."))
    with transaction.atomic():
        _thread_remove(Thread.objects.select_for_update().get(pk=thread.pk), now or timezone.now())


def reply_edit(*, reply: Reply, by, body: str, now: datetime | None = None) -> Reply:
    return _edit(reply, by=by, now=now, body=_clean_body(body))


def _recount(thread_ids) -> None:
    for thread_id in set(thread_ids):
        generations.update(
            Thread.objects.filter(pk=thread_id),
            reply_count=Reply.objects.filter(thread_id=thread_id).shown().count(),
        )


def reply_delete(*, reply: Reply, by) -> None:
    if by is None or reply.author_id != by.pk:
        raise PermissionDenied(_("Only the author can delete this."))
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).delete()
        _recount([reply.thread_id])


def thread_moderate(
    *,
    thread: Thread,
    by,
    pinned: bool | None = None,
    locked: bool | None = None,
    category: Category | bool | None = False,
    hidden: bool | None = None,
    now: datetime | None = None,
) -> Thread:
    """Organizers pin, lock, move (category; False leaves it) and hide or show a discussion."""
    _require_organizer(thread.group, by)
    changes: dict = {}
    if pinned is not None:
        changes["pinned"] = pinned
    if locked is not None:
        changes["locked"] = locked
    if category is not False:
        if category is not None and category.group_id != thread.group_id:
            raise ValidationError(_("Choose one of this group's categories."))
        changes["category"] = category
    if hidden is not None:
        changes |= (
            {"hidden_at": now or timezone.now(), "hidden_by": by, "pinned": False}
            if hidden
            else {"hidden_at": None, "hidden_by": None}
        )
    with transaction.atomic():
        if hidden and thread.hidden_at is None:
            log_hidden(group_id=thread.group_id, by=by, author=thread.author)
        generations.update(Thread.objects.filter(pk=thread.pk), **changes)
    thread.refresh_from_db()
    return thread


def reply_hide(*, reply: Reply, by, hidden: bool = True, now: datetime | None = None) -> Reply:
    _require_organizer(reply.thread.group, by)
    with transaction.atomic():
        if hidden and reply.hidden_at is None:
            log_hidden(group_id=reply.thread.group_id, by=by, author=reply.author)
        generations.update(
            Reply.objects.filter(pk=reply.pk),
            hidden_at=(now or timezone.now()) if hidden else None,
            hidden_by=by if hidden else None,
        )
        _recount([reply.thread_id])
    reply.refresh_from_db()
    return reply


def thread_follow(*, thread: Thread, member, follow: bool = True) -> None:
    if not viewer_for(member, thread.group).is_member:
        raise PermissionDenied(_("Only members of the group can follow discussions."))
    if follow:
        Follow.objects.get_or_create(thread=thread, member=member)
    else:
        Follow.objects.filter(thread=thread, member=member).delete()
