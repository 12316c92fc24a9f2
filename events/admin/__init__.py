"""The events app in the admin: events, places and people, RSVPs, the email log."""

from .common import (
    CalendarChangeMixin,
    TimeframeFilter,
)
from .emails import (
    EmailLogAdmin,
)
from .events import (
    AgendaItemInline,
    BreakoutInline,
    EventAdmin,
    EventSpeakerInline,
)
from .places import (
    SeriesAdmin,
    SpeakerAdmin,
    SpeakerLinkInline,
    VenueAdmin,
)
from .rsvps import (
    RSVPAdmin,
    RSVPEventFilter,
)

__all__ = [
    "AgendaItemInline",
    "BreakoutInline",
    "CalendarChangeMixin",
    "EmailLogAdmin",
    "EventAdmin",
    "EventSpeakerInline",
    "RSVPAdmin",
    "RSVPEventFilter",
    "SeriesAdmin",
    "SpeakerAdmin",
    "SpeakerLinkInline",
    "TimeframeFilter",
    "VenueAdmin",
]
