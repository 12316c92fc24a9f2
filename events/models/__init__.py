"""The events app's tables: places, speakers, events and their program, RSVPs, the email log."""

from .emails import (
    CONVERSATION_EMAIL_KINDS,
    DECISIONS_EMAIL_KINDS,
    EmailKind,
    EmailLog,
    EmailOutcome,
)
from .events import (
    Event,
    EventQuerySet,
    by_slug,
    guest_speakers_prefetch,
    upcoming_then_past_ordering,
)
from .places import (
    Series,
    Venue,
)
from .program import (
    AgendaItem,
    Breakout,
    EventSpeaker,
)
from .rsvps import (
    RSVP,
    RSVPQuerySet,
    attendance_annotations,
    attendance_filters,
    member_attendance,
)
from .speakers import (
    Speaker,
    SpeakerLink,
)
from .states import (
    LATE_CANCELLATION,
    MAX_DURATION,
    AgendaKind,
    EventStatus,
    Recurrence,
    RSVPStatus,
    SpeakerRole,
)

__all__ = [
    "CONVERSATION_EMAIL_KINDS",
    "DECISIONS_EMAIL_KINDS",
    "LATE_CANCELLATION",
    "MAX_DURATION",
    "RSVP",
    "AgendaItem",
    "AgendaKind",
    "Breakout",
    "EmailKind",
    "EmailLog",
    "EmailOutcome",
    "Event",
    "EventQuerySet",
    "EventSpeaker",
    "EventStatus",
    "RSVPQuerySet",
    "RSVPStatus",
    "Recurrence",
    "Series",
    "Speaker",
    "SpeakerLink",
    "SpeakerRole",
    "Venue",
    "attendance_annotations",
    "attendance_filters",
    "by_slug",
    "guest_speakers_prefetch",
    "member_attendance",
    "upcoming_then_past_ordering",
]
