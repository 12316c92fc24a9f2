"""Daily digests of followed discussions and announcements to the group."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import generations
from core.emails.outbox import emails_queue
from core.markdown import markdown_store
from groups.models import Group, LogKind, Membership
from groups.services import log_record

from ..emails import ConversationEmail, digest_replies
from ..models import (
    Announcement,
    Digest,
)
from .writing import _clean_body, _require_organizer

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
            emails_queue(
                kind=ConversationEmail.DIGEST,
                user_ids=[member.pk],
                params={"since": since.isoformat() if since else None, "until": now.isoformat()},
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
    """Emails it to the members, and records in the transparency log that it went out."""
    log_record(
        group=announcement.group_id,
        kind=LogKind.ANNOUNCEMENT_SENT,
        by=announcement.author,
        title=announcement.subject,
        url=announcement.get_absolute_url(),
    )
    emails_queue(
        kind=ConversationEmail.GROUP_POST,
        user_ids=announcement_recipients(announcement.group),
        params={"announcement_id": announcement.pk},
    )


def announcement_send(
    *,
    group: Group,
    by,
    subject: str,
    body: str,
    subject_es: str = "",
    body_es: str = "",
    send_at: datetime | None = None,
    now: datetime | None = None,
) -> Announcement:
    """An organizer's post to the group: on the site and emailed to every member who has not
    turned announcements off, now (send_at None or past) or when send_reminders finds it due.
    `subject` and `body` are the main language's; the Spanish ones may be left empty (Spanish
    readers then see the main text)."""
    now = now or timezone.now()
    _require_organizer(group, by)
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Give the announcement a subject.")}, code="empty")
    body = _clean_body(body)
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        announcement = Announcement(
            group=group,
            author=by,
            subject=subject,
            subject_es=" ".join((subject_es or "").split()) or None,
            body=body,
            body_es=(body_es or "").strip() or None,
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
        generations.update(Announcement.objects.filter(pk__in=[a.pk for a in due]), emailed_at=now)
        for announcement in due:
            _announcement_email(announcement)
    return len(due)


def periodic() -> str:
    """What send_reminders runs for conversations (core.hooks.periodic)."""
    announcements = announcements_send_due()
    digests = digests_send()
    return f"{announcements} announcements and {digests} digests queued"
