"""The events app's tables: places, speakers, events and their program, RSVPs."""

from .events import (
    Event,
    EventQuerySet,
    by_slug,
    guest_speakers_prefetch,
    upcoming_then_past_ordering,
)
from .follows import SeriesFollow
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
    "LATE_CANCELLATION",
    "MAX_DURATION",
    "RSVP",
    "AgendaItem",
    "AgendaKind",
    "Breakout",
    "Event",
    "EventQuerySet",
    "EventSpeaker",
    "EventStatus",
    "RSVPQuerySet",
    "RSVPStatus",
    "Recurrence",
    "Series",
    "SeriesFollow",
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
