"""The groups app's tables: the group, memberships and roles, bans, the transparency log."""

from .alerts import AlertChoice, OrganizerAlert
from .bans import (
    Ban,
    BanQuerySet,
    ban_email_hash,
    ban_email_hashes,
    ban_email_normalized,
)
from .groups import (
    MEMBER_DECIDED_SETTINGS,
    AttendeeLists,
    Group,
    GroupQuerySet,
    ResourceLink,
    SocialLink,
    setting_assign,
    setting_choices,
    setting_value,
    validate_time_zone,
)
from .log import (
    LogEntry,
    LogEntryQuerySet,
    LogKind,
)
from .memberships import (
    MAX_JOIN_QUESTIONS,
    ORGANIZER_ROLES,
    JoinQuestion,
    Membership,
    MembershipAction,
    MembershipActionKind,
    MembershipQuerySet,
    MembershipStatus,
    Role,
)
from .pending import (
    PENDING_LAPSES_AFTER,
    PendingAction,
    PendingActionQuerySet,
    PendingActionStatus,
)

__all__ = [
    "MAX_JOIN_QUESTIONS",
    "MEMBER_DECIDED_SETTINGS",
    "ORGANIZER_ROLES",
    "PENDING_LAPSES_AFTER",
    "AlertChoice",
    "AttendeeLists",
    "Ban",
    "BanQuerySet",
    "Group",
    "GroupQuerySet",
    "JoinQuestion",
    "LogEntry",
    "LogEntryQuerySet",
    "LogKind",
    "Membership",
    "MembershipAction",
    "MembershipActionKind",
    "MembershipQuerySet",
    "MembershipStatus",
    "OrganizerAlert",
    "PendingAction",
    "PendingActionQuerySet",
    "PendingActionStatus",
    "ResourceLink",
    "Role",
    "SocialLink",
    "ban_email_hash",
    "ban_email_hashes",
    "ban_email_normalized",
    "setting_assign",
    "setting_choices",
    "setting_value",
    "validate_time_zone",
]
