"""The events app's pages: listings and event pages, RSVPs, what hosts do."""

from .hosts import (
    STATUS_ORDER,
    attendees,
    check_in,
    message_going,
)
from .pages import (
    PAGE_SIZE,
    CaseInsensitiveSlugMixin,
    EventDetailView,
    PastEventsView,
    SpeakerDetailView,
    UpcomingEventsView,
    cover_image,
    my_events,
    rsvp_breakouts,
    speaker_photo,
)
from .rsvps import (
    GUEST_ERRORS,
    choose_breakout,
    join_and_go,
    render_event_page,
    rsvp,
)
from .series import (
    SeriesDetailView,
    series_follow,
)
from .versions import (
    EventPageVersion,
    event_page_version,
)

__all__ = [
    "GUEST_ERRORS",
    "PAGE_SIZE",
    "STATUS_ORDER",
    "CaseInsensitiveSlugMixin",
    "EventDetailView",
    "EventPageVersion",
    "PastEventsView",
    "SeriesDetailView",
    "SpeakerDetailView",
    "UpcomingEventsView",
    "attendees",
    "check_in",
    "choose_breakout",
    "cover_image",
    "event_page_version",
    "join_and_go",
    "message_going",
    "my_events",
    "render_event_page",
    "rsvp",
    "rsvp_breakouts",
    "series_follow",
    "speaker_photo",
]
