"""Reports, mutes, hiding and deleting, and what goes with a member's account."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from groups import confirmations
from groups.access import viewer_for
from groups.alerts import organizers_alert
from groups.models import ORGANIZER_ROLES, Group, LogKind, Membership
from groups.services import log_record

from ..emails import REPORT_ALERT_NAME, ConversationEmail
from ..models import (
    Comment,
    Mute,
    Reply,
    Report,
    ReportAction,
    ReportStatus,
    Thread,
)
from .comments import _comment_remove, comment_hide
from .threads import _recount, _thread_remove, reply_hide, thread_moderate
from .writing import _item_field, _require_organizer, item_group


def report_file(*, item, by, reason: str, details: str = "", now: datetime | None = None) -> Report:
    """A member asks the organizers to look at a comment, discussion or reply; reporting the
    same item again updates their open report."""
    group = item_group(item)
    if not viewer_for(by, group).is_member:
        raise PermissionDenied(_("Only members of the group can report."))
    if item.author_id == by.pk:
        raise ValidationError(_("You can edit or delete what you wrote yourself."), code="own")
    excerpt = f"{item.title}\n\n{item.body}" if isinstance(item, Thread) else item.body
    with transaction.atomic():
        report, created = Report.objects.update_or_create(
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
        if created:
            organizers_alert(group=group, kind=REPORT_ALERT_NAME, params={"report": report.pk})
    return report


def member_mute(
    *, group: Group, member, by, reason: str = "", until: datetime | None = None
) -> Mute:
    """The member may read but no longer post in conversations (until the date, if given)."""
    _require_organizer(group, by)
    if member.pk == by.pk:
        raise ValidationError(_("You cannot mute yourself."), code="self")
    with transaction.atomic():
        mute, _created = Mute.objects.update_or_create(
            group=group, member=member, defaults={"by": by, "reason": reason, "until": until}
        )
        # Whom and until when, not why (as for removals).
        log_record(
            group=group,
            kind=LogKind.MEMBER_MUTED,
            by=by,
            member=member,
            detail=until.isoformat() if until else "",
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


def discussion_delete(*, thread: Thread, by, confirmed_by=None) -> None:
    """An organizer deletes a discussion (replies go with it, reports keep what it said); the
    log says who, and who confirmed it where the group has two organizers
    (groups.confirmations: conversation.apps registers it)."""
    with transaction.atomic():
        log_record(
            group=thread.group_id,
            kind=LogKind.DISCUSSION_DELETED,
            by=by,
            title=thread.title,
            confirmed_by=confirmed_by,
        )
        item_delete(item=thread, by=by)


def discussion_delete_confirmed(*, group, target, reason, by, confirmed_by) -> None:
    thread = Thread.objects.filter(pk=target, group=group).first()
    if thread is None:
        raise ValidationError(_("This discussion no longer exists."), code="gone")
    discussion_delete(thread=thread, by=by, confirmed_by=confirmed_by)


def _ask(group: Group, act, *, author, by, reason: str) -> None:
    confirmations.action_request(
        group=group,
        kind=act.name,
        target=author.pk,
        title=_("%(act)s %(person)s") % {"act": act.label, "person": author.display_name},
        by=by,
        reason=reason,
    )


def _organizer_protected(group: Group, *, author, by) -> bool:
    """The memberships' rule (groups/admin.py): only the organizer role removes or bans one
    of the group's organizers."""
    is_organizer = Membership.objects.filter(
        group=group, user=author, role__in=ORGANIZER_ROLES
    ).exists()
    return is_organizer and not viewer_for(by, group).is_lead_organizer


def report_resolve(
    *, report: Report, by, action: str, note: str = "", now: datetime | None = None
) -> int:
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
        if action in (ReportAction.HIDE, ReportAction.MUTE, ReportAction.REMOVE, ReportAction.BAN):
            item_hide(item=item, by=by, now=now)
        if action == ReportAction.MUTE:
            member_mute(group=group, member=author, by=by, reason=note)
        elif action == ReportAction.REMOVE:
            # Removing and banning wait for a second organizer where the group has two.
            if Membership.objects.filter(group=group, user=author).exists():
                _ask(group, confirmations.MEMBER_REMOVE, author=author, by=by, reason=note)
        elif action == ReportAction.BAN:
            _ask(group, confirmations.MEMBER_BAN, author=author, by=by, reason=note)
        elif action == ReportAction.WARN:
            log_record(group=group, kind=LogKind.MEMBER_WARNED, by=by, member=author)
            emails_queue(
                kind=ConversationEmail.WARNING,
                user_ids=[author.pk],
                params={"report_id": report.pk, "note": note, "group_id": group.pk},
            )
        same_item = Q(**{_item_field(item): item}) if item is not None else Q(pk=report.pk)
        closed = generations.update(
            Report.objects.open().filter(same_item),
            status=ReportStatus.RESOLVED,
            action=action,
            note=note,
            resolved_by=by,
            resolved_at=now,
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
    generations.update(
        Report.objects.filter(
            Q(comment__author=member) | Q(thread__author=member) | Q(reply__author=member)
        ),
        excerpt="",
    )
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
