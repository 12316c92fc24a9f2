"""Who may write, and what every piece of writing goes through (limits, Markdown, revisions)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.markdown import markdown_store
from core.ratelimit import parse_rate
from events.models import Event
from groups.access import viewer_for
from groups.models import Group, LogKind
from groups.services import log_record

from ..models import (
    Comment,
    Mute,
    Reply,
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


# --- Reports and moderation --------------------------------------------------------------------


def item_group(item) -> Group:
    if isinstance(item, Comment):
        return item.event.group
    if isinstance(item, Reply):
        return item.thread.group
    return item.group


def _item_field(item) -> str:
    return {Comment: "comment", Thread: "thread", Reply: "reply"}[type(item)]


def log_hidden(*, group_id: int, by, author) -> None:
    """Hiding what a member wrote is in the transparency log (whose post, not what it said)."""
    log_record(group=group_id, kind=LogKind.CONTENT_HIDDEN, by=by, member=author)
