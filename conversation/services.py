"""Writes in conversations: comments, discussions, announcements and moderation.

Every function checks who may do it (a member who is not muted writes; the author edits;
organizers, and an event's hosts for its comments, moderate), runs in one transaction and
queues its emails after commit.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import EmailKind, Event, EventStatus
from events.notifications import notify
from groups import services as group_services
from groups.access import viewer_for
from groups.generations import data_changed
from groups.markdown import markdown_store
from groups.models import ORGANIZER_ROLES, Group, Membership
from groups.ratelimit import parse_rate

from .models import (
    Announcement,
    Category,
    Comment,
    Digest,
    Follow,
    Mute,
    Reply,
    Report,
    ReportAction,
    ReportStatus,
    Revision,
    Thread,
)

# --- Who may write -----------------------------------------------------------------------------


def is_muted(*, group: Group, member, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        Mute.objects.filter(group=group, member=member)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .exists()
    )


def _send_batch():
    from .tasks import send_batch  # conversation.tasks imports this module's models only

    return send_batch


def posts_in_window(member, since: datetime) -> int:
    """Comments, discussions and replies the member wrote since then (the posting limit)."""
    return (
        Comment.objects.filter(author=member, created_at__gte=since).count()
        + Thread.objects.filter(author=member, created_at__gte=since).count()
        + Reply.objects.filter(author=member, created_at__gte=since).count()
    )


def _check_writer(*, group: Group, member, now: datetime):
    """The member may post now: a member of the group, not muted, within the posting limit
    (organizers have none). Returns their viewer."""
    looking = viewer_for(member, group)
    if not looking.is_member:
        raise PermissionDenied(_("Only members of the group can write here."))
    if is_muted(group=group, member=member, now=now):
        raise ValidationError(
            _("The organizers have muted you in conversations: you can read, not post."),
            code="muted",
        )
    if not looking.is_organizer:
        amount, seconds = parse_rate(settings.POTLUCK_POST_RATE)
        if posts_in_window(member, now - timedelta(seconds=seconds)) >= amount:
            raise ValidationError(
                _(
                    "You have posted %(amount)s times in a short while. Please wait a "
                    "little before posting again."
                )
                % {"amount": amount},
                code="rate",
            )
    return looking


def _clean_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: _("Write something first.")}, code="empty")
    return body


def _is_event_host(event: Event, member) -> bool:
    return event.hosts.filter(pk=member.pk).exists()


def may_moderate_event(event: Event, member) -> bool:
    """Organizers, and the event's hosts for its comments."""
    if member is None or not member.is_authenticated:
        return False
    return viewer_for(member, event.group).is_organizer or _is_event_host(event, member)


def _require_organizer(group: Group, member):
    if not viewer_for(member, group).is_organizer:
        raise PermissionDenied(_("Only organizers can do this."))


def _revise(item, *, now: datetime, title: str = "") -> None:
    """Keeps what the item said until now (the edit's time, so it matches edited_at)."""
    field = {Comment: "comment", Thread: "thread", Reply: "reply"}[type(item)]
    Revision.objects.create(**{field: item}, title=title, body=item.body, replaced_at=now)


# --- Event comments ----------------------------------------------------------------------------


def comment_add(*, event: Event, author, body: str, parent: Comment | None = None,
                now: datetime | None = None) -> Comment:  # fmt: skip
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


def _edit(item, *, by, now: datetime | None, **changes):
    """The author changes what they wrote; the earlier version is kept for organizers."""
    if by is None or item.author_id != by.pk or getattr(item, "is_deleted", False):
        raise PermissionDenied(_("Only the author can edit this."))
    # Editing is writing: for members of the group, and not while muted.
    group = item_group(item)
    if not viewer_for(by, group).is_member:
        raise PermissionDenied(_("Only members of the group can write here."))
    if is_muted(group=group, member=by):
        raise ValidationError(
            _("The organizers have muted you in conversations: you can read, not post."),
            code="muted",
        )
    with transaction.atomic():
        item = type(item).objects.select_for_update().get(pk=item.pk)
        if all(getattr(item, name) == value for name, value in changes.items()):
            return item
        now = now or timezone.now()
        _revise(item, now=now, title=getattr(item, "title", ""))
        for name, value in changes.items():
            setattr(item, name, value)
        item.edited_at = now
        item.full_clean()
        markdown_store(item)
        item.save()
    return item


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
        Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
            hidden_at=now or timezone.now(), hidden_by=by, pinned=False
        )
        data_changed()  # update() sends no signal: the cached event pages must go
    comment.refresh_from_db()
    return comment


def comment_unhide(*, comment: Comment, by) -> Comment:
    if not may_moderate_event(comment.event, by):
        raise PermissionDenied(_("Only organizers and the event's hosts can show comments."))
    Comment.objects.filter(pk=comment.pk).update(hidden_at=None, hidden_by=None)
    data_changed()
    comment.refresh_from_db()
    return comment


def comment_pin(*, comment: Comment, by, pinned: bool = True) -> Comment:
    """Pinned comments come first (an answer everyone should read)."""
    if not may_moderate_event(comment.event, by):
        raise PermissionDenied(_("Only organizers and the event's hosts can pin comments."))
    if pinned and (comment.parent_id is not None or comment.is_hidden or comment.is_deleted):
        raise ValidationError(_("Only a shown comment, not a reply, can be pinned."), code="pin")
    Comment.objects.filter(pk=comment.pk).update(pinned=pinned)
    data_changed()
    comment.refresh_from_db()
    return comment


# --- Discussions -------------------------------------------------------------------------------


def thread_start(*, group: Group, author, title: str, body: str, category: Category | None = None,
                 now: datetime | None = None) -> Thread:  # fmt: skip
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
        Thread.objects.filter(pk=thread.pk).update(
            reply_count=F("reply_count") + 1, last_activity_at=now
        )
        Follow.objects.get_or_create(thread=thread, member=author, defaults={"created_at": now})
        notify(
            kind=EmailKind.REPLY,
            user_ids=_followers_to_email(thread, author=author),
            event=None,
            extra={"reply_id": reply.pk},
            task=_send_batch(),
        )
    return reply


def thread_edit(*, thread: Thread, by, title: str, body: str,
                now: datetime | None = None) -> Thread:  # fmt: skip
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
        Thread.objects.filter(pk=thread_id).update(
            reply_count=Reply.objects.filter(thread_id=thread_id).shown().count()
        )


def reply_delete(*, reply: Reply, by) -> None:
    if by is None or reply.author_id != by.pk:
        raise PermissionDenied(_("Only the author can delete this."))
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).delete()
        _recount([reply.thread_id])


def thread_moderate(*, thread: Thread, by, pinned: bool | None = None, locked: bool | None = None,
                    category: Category | bool | None = False,
                    hidden: bool | None = None, now: datetime | None = None) -> Thread:  # fmt: skip
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
        Thread.objects.filter(pk=thread.pk).update(**changes)
        data_changed()
    thread.refresh_from_db()
    return thread


def reply_hide(*, reply: Reply, by, hidden: bool = True, now: datetime | None = None) -> Reply:
    _require_organizer(reply.thread.group, by)
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).update(
            hidden_at=(now or timezone.now()) if hidden else None, hidden_by=by if hidden else None
        )
        _recount([reply.thread_id])
        data_changed()
    reply.refresh_from_db()
    return reply


def thread_follow(*, thread: Thread, member, follow: bool = True) -> None:
    if not viewer_for(member, thread.group).is_member:
        raise PermissionDenied(_("Only members of the group can follow discussions."))
    if follow:
        Follow.objects.get_or_create(thread=thread, member=member)
    else:
        Follow.objects.filter(thread=thread, member=member).delete()


# --- Daily digests -----------------------------------------------------------------------------


def digest_due_members(now: datetime):
    """Members who chose the digest and whose last one is a day old (or who never had one)."""
    last = Digest.objects.filter(member=OuterRef("pk"), sent_at__gt=now - timedelta(days=1))
    return (
        get_user_model()
        .objects.filter(is_active=True, notify_discussions=True, discussion_digest=True)
        .filter(memberships__status="active")
        .exclude(Exists(last))
        .distinct()
    )


def digest_replies(member, *, since: datetime | None, until: datetime):
    """Shown replies by others in the discussions the member follows, written after they
    followed and after `since` (their last digest, None for the first), up to `until`."""
    # One Follow per reply (a join on follows would repeat a reply once per follower and
    # compare it with anyone's follow time, not the member's).
    followed = Follow.objects.filter(
        thread=OuterRef("thread"), member=member, created_at__lt=OuterRef("created_at")
    )
    replies = (
        Reply.objects.shown()
        .filter(Exists(followed), thread__hidden_at__isnull=True, created_at__lte=until)
        .exclude(author=member)
    )
    if since is not None:
        replies = replies.filter(created_at__gt=since)
    return replies


def digests_send(*, now: datetime | None = None) -> int:
    """Queues each due member's digest of the day's replies; a member gets at most one a day.

    Every member who chose the digest is looked at on each run (one small transaction each),
    so nobody waits behind members who have nothing new."""
    now = now or timezone.now()
    queued = 0
    for member_id in digest_due_members(now).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            member = (
                get_user_model()
                .objects.select_for_update(skip_locked=True)
                .filter(pk=member_id)
                .first()
            )
            if member is None:
                continue
            if Digest.objects.filter(member=member, sent_at__gt=now - timedelta(days=1)).exists():
                continue
            since = Digest.objects.filter(member=member).values_list("sent_at", flat=True).first()
            if not digest_replies(member, since=since, until=now).exists():
                continue
            Digest.objects.update_or_create(member=member, defaults={"sent_at": now})
            notify(
                kind=EmailKind.DIGEST,
                user_ids=[member.pk],
                event=None,
                extra={"since": since.isoformat() if since else None, "until": now.isoformat()},
                task=_send_batch(),
            )
            queued += 1
    return queued


# --- Announcements -----------------------------------------------------------------------------


def announcement_recipients(group: Group) -> list[int]:
    return list(
        Membership.objects.active()
        .filter(group=group, user__is_active=True, user__notify_announcements=True)
        .values_list("user_id", flat=True)
    )


def _announcement_email(announcement: Announcement) -> None:
    notify(
        kind=EmailKind.GROUP_POST,
        user_ids=announcement_recipients(announcement.group),
        event=None,
        extra={"announcement_id": announcement.pk},
        task=_send_batch(),
    )


def announcement_send(*, group: Group, by, subject: str, body: str,
                      send_at: datetime | None = None,
                      now: datetime | None = None) -> Announcement:  # fmt: skip
    """An organizer's post to the group: on the site and emailed to every member who has not
    turned announcements off, now (send_at None or past) or when send_reminders finds it due."""
    now = now or timezone.now()
    _require_organizer(group, by)
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Give the announcement a subject.")}, code="empty")
    with transaction.atomic():
        announcement = Announcement(
            group=group,
            author=by,
            subject=subject,
            body=_clean_body(body),
            send_at=send_at or now,
            created_at=now,
        )
        announcement.full_clean()
        markdown_store(announcement)
        if announcement.send_at <= now:
            announcement.emailed_at = now
        announcement.save()
        if announcement.emailed_at is not None:
            _announcement_email(announcement)
    return announcement


def announcements_send_due(*, now: datetime | None = None) -> int:
    """Emails the scheduled announcements whose time has come, each once (rows claimed with
    SKIP LOCKED, so two runs at once never send one twice)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Announcement.objects.due(now)
            # of=self: the group row (select_related) is not locked, so a ban or join
            # holding it does not make this run skip the announcements.
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("group")
            .order_by("send_at", "pk")
        )
        if not due:
            return 0
        Announcement.objects.filter(pk__in=[a.pk for a in due]).update(emailed_at=now)
        data_changed()
        for announcement in due:
            _announcement_email(announcement)
    return len(due)


def periodic() -> str:
    """What send_reminders runs for conversations (groups.hooks.periodic_register)."""
    announcements = announcements_send_due()
    digests = digests_send()
    return f"{announcements} announcements and {digests} digests queued"


# --- Reports and moderation --------------------------------------------------------------------


def item_group(item) -> Group:
    if isinstance(item, Comment):
        return item.event.group
    if isinstance(item, Reply):
        return item.thread.group
    return item.group


def _item_field(item) -> str:
    return {Comment: "comment", Thread: "thread", Reply: "reply"}[type(item)]


def report_file(*, item, by, reason: str, details: str = "",
                now: datetime | None = None) -> Report:  # fmt: skip
    """A member asks the organizers to look at a comment, discussion or reply; reporting the
    same item again updates their open report."""
    group = item_group(item)
    if not viewer_for(by, group).is_member:
        raise PermissionDenied(_("Only members of the group can report."))
    if item.author_id == by.pk:
        raise ValidationError(_("You can edit or delete what you wrote yourself."), code="own")
    excerpt = f"{item.title}\n\n{item.body}" if isinstance(item, Thread) else item.body
    with transaction.atomic():
        report, _created = Report.objects.update_or_create(
            **{_item_field(item): item},
            by=by,
            status=ReportStatus.OPEN,
            defaults={
                "group": group,
                "reason": reason,
                "details": (details or "").strip(),
                "excerpt": excerpt,
                "created_at": now or timezone.now(),
            },
        )
        report.full_clean()
    return report


def member_mute(*, group: Group, member, by, reason: str = "",
                until: datetime | None = None) -> Mute:  # fmt: skip
    """The member may read but no longer post in conversations (until the date, if given)."""
    _require_organizer(group, by)
    if member.pk == by.pk:
        raise ValidationError(_("You cannot mute yourself."), code="self")
    mute, _created = Mute.objects.update_or_create(
        group=group, member=member, defaults={"by": by, "reason": reason, "until": until}
    )
    return mute


def member_unmute(*, group: Group, member, by) -> None:
    _require_organizer(group, by)
    Mute.objects.filter(group=group, member=member).delete()


def item_hide(*, item, by, now: datetime | None = None) -> None:
    if isinstance(item, Comment):
        comment_hide(comment=item, by=by, now=now)
    elif isinstance(item, Thread):
        thread_moderate(thread=item, by=by, hidden=True, now=now)
    else:
        reply_hide(reply=item, by=by, now=now)


def item_delete(*, item, by, now: datetime | None = None) -> None:
    """An organizer deletes a comment, discussion or reply (reports keep what it said)."""
    _require_organizer(item_group(item), by)
    now = now or timezone.now()
    with transaction.atomic():
        if isinstance(item, Comment):
            _comment_remove(item, now)
        elif isinstance(item, Thread):
            item.delete()
        else:
            thread_id = item.thread_id
            item.delete()
            _recount([thread_id])


def _organizer_protected(group: Group, *, author, by) -> bool:
    """The memberships' rule (groups/admin.py): only the organizer role removes or bans one
    of the group's organizers."""
    is_organizer = Membership.objects.filter(
        group=group, user=author, role__in=ORGANIZER_ROLES
    ).exists()
    return is_organizer and not viewer_for(by, group).is_lead_organizer


def report_resolve(*, report: Report, by, action: str, note: str = "",
                   now: datetime | None = None) -> int:  # fmt: skip
    """An organizer deals with a report: every open report about the same item is closed
    with the action taken. Returns how many reports were closed."""
    group = report.group
    _require_organizer(group, by)
    now = now or timezone.now()
    action = ReportAction(action)
    item = report.item
    if item is None and action != ReportAction.DISMISS:
        raise ValidationError(_("The reported item is gone; dismiss the report."), code="gone")
    author = item.author if item is not None else None
    needs_author = (ReportAction.WARN, ReportAction.MUTE, ReportAction.REMOVE, ReportAction.BAN)
    if action in needs_author and author is None:
        raise ValidationError(_("The author's account is gone."), code="no_author")
    if action in (ReportAction.REMOVE, ReportAction.BAN) and _organizer_protected(
        group, author=author, by=by
    ):
        raise ValidationError(
            _(
                "Only an organizer, not a co-organizer, removes or bans %(person)s: they are "
                "one of the group's organizers."
            )
            % {"person": author},
            code="organizer",
        )
    with transaction.atomic():
        # Two organizers dealing with the same report at once: the second one is told.
        if not Report.objects.select_for_update().filter(pk=report.pk).open().exists():
            raise ValidationError(
                _("Another organizer dealt with this report meanwhile."), code="resolved"
            )
        if action in (ReportAction.HIDE, ReportAction.MUTE, ReportAction.REMOVE,
                      ReportAction.BAN):  # fmt: skip
            item_hide(item=item, by=by, now=now)
        if action == ReportAction.MUTE:
            member_mute(group=group, member=author, by=by, reason=note)
        elif action == ReportAction.REMOVE:
            membership = Membership.objects.filter(group=group, user=author).first()
            if membership is not None:
                group_services.membership_remove(membership=membership, by=by, reason=note)
        elif action == ReportAction.BAN:
            group_services.membership_ban(group=group, user=author, by=by, reason=note)
        elif action == ReportAction.WARN:
            notify(
                kind=EmailKind.WARNING,
                user_ids=[author.pk],
                event=None,
                extra={"report_id": report.pk, "note": note, "group_id": group.pk},
                task=_send_batch(),
            )
        same_item = Q(**{_item_field(item): item}) if item is not None else Q(pk=report.pk)
        closed = (
            Report.objects.open()
            .filter(same_item)
            .update(
                status=ReportStatus.RESOLVED,
                action=action,
                note=note,
                resolved_by=by,
                resolved_at=now,
            )
        )
        if action == ReportAction.DELETE:
            item_delete(item=item, by=by, now=now)
    return closed


# --- A member's data (members.hooks) -----------------------------------------------------------


def member_writing_delete(member, keep_writing: bool) -> None:
    """On account deletion: what they wrote goes, or stays signed "a former member" (the
    author reference is set to NULL with the account). Inside the deletion's transaction."""
    if keep_writing:
        return
    now = timezone.now()
    # Reports about what they wrote keep the reason and the action, not the words.
    Report.objects.filter(
        Q(comment__author=member) | Q(thread__author=member) | Q(reply__author=member)
    ).update(excerpt="")
    # Replies under others' comments first, then their own comments (a marker where others
    # replied), then discussion replies and discussions.
    Comment.objects.filter(author=member, parent__isnull=False).delete()
    for comment in Comment.objects.filter(author=member):
        _comment_remove(comment, now)
    thread_ids = list(Reply.objects.filter(author=member).values_list("thread_id", flat=True))
    Reply.objects.filter(author=member).delete()
    _recount(thread_ids)
    for thread in Thread.objects.filter(author=member):
        _thread_remove(thread, now)
