"""The conversation app's emails: announcements, replies, digests and warnings."""

from datetime import datetime

from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext

from events.models import EmailKind
from events.notifications import deliver, recipients
from events.seo import absolute
from groups.models import Group

from .models import Announcement, Reply, Report
from .services import digest_replies

DIGEST_THREADS = 20


def _author_name(item) -> str:
    return item.author.display_name if item.author else gettext("A former member")


@task()
def send_batch(*, kind: str, user_ids: list[int], event_id: int | None, extra: dict) -> dict:
    """Sends one batch of a conversation email; returns how many went out and failed."""
    context, group = _context(kind, extra)
    if group is None:
        return {"sent": 0, "failed": 0}  # what it was about is gone
    sent = failed = 0
    for user in recipients(EmailKind(kind), user_ids):
        details = dict(context)
        if kind == EmailKind.DIGEST:
            details |= _digest(user, extra)
            if not details["digest_threads"]:
                continue
        if deliver(kind=kind, user=user, event=None, group=group, extra=details):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


def _context(kind: str, extra: dict) -> tuple[dict, Group | None]:
    if kind == EmailKind.GROUP_POST:
        announcement = (
            Announcement.objects.select_related("group", "author")
            .filter(pk=extra["announcement_id"])
            .first()
        )
        if announcement is None:
            return {}, None
        return {
            "announcement": announcement,
            "item_url": absolute(announcement.get_absolute_url()),
        }, announcement.group
    if kind == EmailKind.REPLY:
        reply = (
            Reply.objects.select_related("thread__group", "author")
            .filter(pk=extra["reply_id"], hidden_at__isnull=True)
            .first()
        )
        if reply is None:
            return {}, None
        return {
            "reply": reply,
            "author_name": _author_name(reply),
            "thread": reply.thread,
            "item_url": absolute(reply.get_absolute_url()),
        }, reply.thread.group
    if kind == EmailKind.WARNING:
        report = Report.objects.filter(pk=extra["report_id"]).first()
        group = Group.objects.filter(pk=extra["group_id"]).first()
        return {"report": report, "note": extra.get("note", "")}, group
    if kind == EmailKind.DIGEST:
        return {"boards_url": absolute(reverse("conversation:board"))}, Group.objects.current()
    raise ValueError(f"not a conversation email: {kind}")


def _digest(user, extra: dict) -> dict:
    # The period digests_send chose: the Digest row already holds its end, not its start.
    since = datetime.fromisoformat(extra["since"]) if extra.get("since") else None
    replies = digest_replies(user, since=since, until=datetime.fromisoformat(extra["until"]))
    threads: dict[int, dict] = {}
    for reply in replies.select_related("thread", "author").order_by("thread_id", "created_at"):
        entry = threads.setdefault(
            reply.thread_id,
            {
                "thread": reply.thread,
                "url": absolute(reply.thread.get_absolute_url()),
                "replies": [],
            },
        )
        reply.author_name = _author_name(reply)
        entry["replies"].append(reply)
    ordered = sorted(threads.values(), key=lambda e: e["replies"][-1].created_at, reverse=True)
    return {
        "digest_threads": ordered[:DIGEST_THREADS],
        "digest_more": len(ordered) > DIGEST_THREADS,
    }
