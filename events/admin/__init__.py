"""The events app in the admin: events, places and people, RSVPs."""

from .common import (
    TimeframeFilter,
)
from .events import EventAdmin
from .inlines import (
    AgendaItemInline,
    BreakoutInline,
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
