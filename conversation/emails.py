"""The conversation app's emails: announcements to the group, replies in followed discussions,
daily digests and organizers' warnings. ConversationConfig.ready registers them in core's
registry; the worker renders each for its recipient from the ids the services queued."""

from datetime import datetime

from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.emails.kinds import EmailKind
from events.seo import absolute
from groups.hooks import AlertKind
from groups.models import Group

from .models import Announcement, Follow, Reply, Report

DIGEST_THREADS = 20


class ConversationEmail(models.TextChoices):
    GROUP_POST = "group_post", _("Announcement to the group")
    REPLY = "reply", _("New reply in a followed discussion")
    DIGEST = "digest", _("Daily digest of discussions")
    WARNING = "warning", _("Warning from the organizers")


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


def _author_name(item) -> str:
    return item.author.display_name if item.author else gettext("A former member")


# --- Rendering (in the worker, per recipient; None: what it was about is gone) ------------------


def group_post_context(params: dict, user) -> dict | None:
    announcement = (
        Announcement.objects.select_related("group", "author")
        .filter(pk=params["announcement_id"])
        .first()
    )
    if announcement is None:
        return None
    return {
        "group": announcement.group,
        "announcement": announcement,
        "item_url": absolute(announcement.get_absolute_url()),
    }


def reply_context(params: dict, user) -> dict | None:
    reply = (
        Reply.objects.select_related("thread__group", "author")
        .filter(pk=params["reply_id"], hidden_at__isnull=True)
        .first()
    )
    if reply is None:
        return None
    return {
        "group": reply.thread.group,
        "reply": reply,
        "author_name": _author_name(reply),
        "thread": reply.thread,
        "item_url": absolute(reply.get_absolute_url()),
    }


def warning_context(params: dict, user) -> dict | None:
    group = Group.objects.filter(pk=params["group_id"]).first()
    if group is None:
        return None
    report = Report.objects.filter(pk=params["report_id"]).first()
    return {"group": group, "report": report, "note": params.get("note", "")}


def digest_context(params: dict, user) -> dict | None:
    """The day's replies in the discussions the member follows; None when there are none.

    The period is the one digests_send chose: its Digest row already holds the end."""
    group = Group.objects.current()
    if group is None:
        return None
    since = datetime.fromisoformat(params["since"]) if params.get("since") else None
    replies = digest_replies(user, since=since, until=datetime.fromisoformat(params["until"]))
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
    if not threads:
        return None
    ordered = sorted(threads.values(), key=lambda e: e["replies"][-1].created_at, reverse=True)
    return {
        "group": group,
        "boards_url": absolute(reverse("conversation:board")),
        "digest_threads": ordered[:DIGEST_THREADS],
        "digest_more": len(ordered) > DIGEST_THREADS,
    }


KINDS = [
    EmailKind(
        name=ConversationEmail.GROUP_POST.value,
        label=ConversationEmail.GROUP_POST.label,
        preference="notify_announcements",
        context=group_post_context,
    ),
    EmailKind(
        name=ConversationEmail.REPLY.value,
        label=ConversationEmail.REPLY.label,
        preference="notify_discussions",
        context=reply_context,
    ),
    EmailKind(
        name=ConversationEmail.DIGEST.value,
        label=ConversationEmail.DIGEST.label,
        preference="notify_discussions",
        context=digest_context,
    ),
    EmailKind(
        name=ConversationEmail.WARNING.value,
        label=ConversationEmail.WARNING.label,
        context=warning_context,
    ),
]


# --- Organizers hear of a report (groups/alerts.py) --------------------------------------------

REPORT_ALERT_NAME = "report_filed"


def report_line(params: dict) -> tuple[str, str] | None:
    """The reason and where to act: what the report list in the admin shows, no more (not who
    reported, not what was said: the organizer reads those in the admin)."""
    report = Report.objects.filter(pk=params.get("report")).first()
    if report is None:
        return None
    text = gettext("A member reported something for the organizers to look at: %(reason)s.") % {
        "reason": report.get_reason_display()
    }
    return text, reverse("admin:conversation_report_change", args=[report.pk])


REPORT_ALERT = AlertKind(
    name=REPORT_ALERT_NAME,
    label=_("A report, for organizers"),
    line=report_line,
    templates="conversation/email/report_filed",
)
