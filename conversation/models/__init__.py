"""The conversation app's tables: writing, announcements, moderation."""

from .announcements import (
    Announcement,
    AnnouncementQuerySet,
)
from .moderation import (
    Mute,
    Report,
    ReportAction,
    ReportQuerySet,
    ReportReason,
    ReportStatus,
    Revision,
)
from .writing import (
    BODY_MAX,
    MARKDOWN_HELP,
    TITLE_MAX,
    Category,
    Comment,
    CommentQuerySet,
    Digest,
    Follow,
    Reply,
    Thread,
    ThreadQuerySet,
    Writing,
    WritingQuerySet,
)

__all__ = [
    "BODY_MAX",
    "MARKDOWN_HELP",
    "TITLE_MAX",
    "Announcement",
    "AnnouncementQuerySet",
    "Category",
    "Comment",
    "CommentQuerySet",
    "Digest",
    "Follow",
    "Mute",
    "Reply",
    "Report",
    "ReportAction",
    "ReportQuerySet",
    "ReportReason",
    "ReportStatus",
    "Revision",
    "Thread",
    "ThreadQuerySet",
    "Writing",
    "WritingQuerySet",
]
