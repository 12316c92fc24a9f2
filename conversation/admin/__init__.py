"""The conversation app in the admin: writing, reports, and the group's settings for it."""

from .forms import (
    BOTH_PLACES,
    EXCERPT_CHARS,
    ServiceAdminMixin,
    ServiceForm,
)
from .reports import (
    ITEM_FIELDS,
    ITEM_QUERYSETS,
    KIND_NAMES,
    ReportAdmin,
    ReportResolveForm,
    report_item_context,
)
from .settings import (
    AnnouncementAddForm,
    AnnouncementAdmin,
    AnnouncementChangeForm,
    CategoryAdmin,
    MuteAdmin,
    MuteForm,
)
from .writing import (
    CommentAdmin,
    CommentRevisionInline,
    HiddenFilter,
    ReplyAdmin,
    ReplyRevisionInline,
    RevisionInline,
    ThreadAdmin,
    ThreadModerationForm,
    ThreadRevisionInline,
    WritingAdmin,
)

__all__ = [
    "BOTH_PLACES",
    "EXCERPT_CHARS",
    "ITEM_FIELDS",
    "ITEM_QUERYSETS",
    "KIND_NAMES",
    "AnnouncementAddForm",
    "AnnouncementAdmin",
    "AnnouncementChangeForm",
    "CategoryAdmin",
    "CommentAdmin",
    "CommentRevisionInline",
    "HiddenFilter",
    "MuteAdmin",
    "MuteForm",
    "ReplyAdmin",
    "ReplyRevisionInline",
    "ReportAdmin",
    "ReportResolveForm",
    "RevisionInline",
    "ServiceAdminMixin",
    "ServiceForm",
    "ThreadAdmin",
    "ThreadModerationForm",
    "ThreadRevisionInline",
    "WritingAdmin",
    "report_item_context",
]
