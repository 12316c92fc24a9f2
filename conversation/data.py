"""What members write in conversations, in their data: the privacy page's sections and the
export (registered with members.hooks in ConversationConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from members.data import Item, Section
from members.data import iso_utc as _iso

from .models import Comment, Follow, Mute, Reply, Report, Thread

SECTIONS = (
    Section(
        "comments",
        _("Your comments on events"),
        _("Your questions and comments on event pages, so members can talk about an event."),
        ("comments", "edit_history"),
        (
            Item("event", _("Event"), _("The event's title.")),
            Item("in_reply_to", _("In reply to"), _("The number of the comment you answered.")),
            Item("number", _("Number"), _("The comment's own number.")),
            Item("body", _("Text"), _("What you wrote (Markdown).")),
            Item("written_at", _("Written"), _("When you wrote it (UTC).")),
            Item("edited_at", _("Edited"), _("When you last changed it (UTC).")),
            Item("hidden", _("Hidden"), _("Whether an organizer or host hid it.")),
            Item(
                "earlier_versions",
                _("Earlier versions"),
                _("What it said before each of your edits; organizers can read them."),
            ),
        ),
    ),
    Section(
        "discussions",
        _("Your discussions and replies"),
        _("What you wrote on the members' discussion board."),
        ("discussions", "edit_history"),
        (
            Item("discussion", _("Discussion"), _("Its title.")),
            Item("started", _("Started by you"), _("Whether this is your opening post.")),
            Item("body", _("Text"), _("What you wrote (Markdown).")),
            Item("written_at", _("Written"), _("When you wrote it (UTC).")),
            Item("edited_at", _("Edited"), _("When you last changed it (UTC).")),
            Item("hidden", _("Hidden"), _("Whether an organizer hid it.")),
            Item(
                "earlier_versions",
                _("Earlier versions"),
                _("What it said before each of your edits; organizers can read them."),
            ),
        ),
    ),
    Section(
        "follows",
        _("Discussions you follow"),
        _("To email you about new replies, one by one or in a daily digest."),
        ("follows",),
        (
            Item("discussion", _("Discussion"), _("Its title.")),
            Item("since", _("Since"), _("When you started following it (UTC).")),
        ),
    ),
    Section(
        "reports",
        _("Your reports"),
        _(
            "So the organizers can deal with what you reported; kept without your name if "
            "you delete your account."
        ),
        ("reports",),
        (
            Item("about", _("About"), _("comment, discussion or reply; removed once it is gone.")),
            Item("reason", _("Reason"), _("The reason you chose.")),
            Item("details", _("Details"), _("What you added.")),
            Item("status", _("Status"), _("open, or resolved once an organizer dealt with it.")),
            Item("reported_at", _("Reported"), _("When you reported it (UTC).")),
        ),
    ),
    Section(
        "muted",
        _("Muted in conversations"),
        _("An organizer can stop a member posting without removing them."),
        ("mutes",),
        (
            Item("since", _("Since"), _("When you were muted (UTC); empty if you are not.")),
            Item("until", _("Until"), _("When it ends; empty until an organizer lifts it.")),
        ),
    ),
)


def _versions(item) -> list[dict]:
    return [
        {"title": r.title, "body": r.body, "replaced_at": _iso(r.replaced_at)}
        if r.title
        else {"body": r.body, "replaced_at": _iso(r.replaced_at)}
        for r in item.revisions.all()
    ]


def export(member) -> dict:
    comments = (
        Comment.objects.filter(author=member, deleted_at__isnull=True)
        .select_related("event")
        .prefetch_related("revisions")
        .order_by("created_at", "pk")
    )
    threads = Thread.objects.filter(author=member, deleted_at__isnull=True).prefetch_related(
        "revisions"
    )
    replies = Reply.objects.filter(author=member).select_related("thread")
    writing = [
        {
            "discussion": t.title,
            "started": True,
            "body": t.body,
            "written_at": _iso(t.created_at),
            "edited_at": _iso(t.edited_at),
            "hidden": t.is_hidden,
            "earlier_versions": _versions(t),
        }
        for t in threads
    ] + [
        {
            "discussion": r.thread.title,
            "started": False,
            "body": r.body,
            "written_at": _iso(r.created_at),
            "edited_at": _iso(r.edited_at),
            "hidden": r.is_hidden,
            "earlier_versions": _versions(r),
        }
        for r in replies.prefetch_related("revisions")
    ]
    mute = Mute.objects.filter(member=member).first()
    return {
        "comments": [
            {
                "event": c.event.title,
                "in_reply_to": c.parent_id,
                "number": c.pk,
                "body": c.body,
                "written_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
                "hidden": c.is_hidden,
                "earlier_versions": _versions(c),
            }
            for c in comments
        ],
        "discussions": sorted(writing, key=lambda entry: entry["written_at"]),
        "follows": [
            {"discussion": f.thread.title, "since": _iso(f.created_at)}
            for f in Follow.objects.filter(member=member)
            .select_related("thread")
            .order_by("created_at", "pk")
        ],
        "reports": [
            {
                "about": (
                    "comment"
                    if r.comment_id
                    else "discussion"
                    if r.thread_id
                    else "reply"
                    if r.reply_id
                    else "removed"
                ),
                "reason": r.reason,
                "details": r.details,
                "status": r.status,
                "reported_at": _iso(r.created_at),
            }
            for r in Report.objects.filter(by=member).order_by("created_at", "pk")
        ],
        "muted": {
            "since": _iso(mute.created_at) if mute else None,
            "until": _iso(mute.until) if mute else None,
        },
    }
