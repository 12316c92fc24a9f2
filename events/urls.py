from django.urls import path
from django.views.decorators.http import require_safe

from . import calendar_views, email_views, embed_views, feeds, views

app_name = "events"
urlpatterns = [
    path("events/", views.UpcomingEventsView.as_view(), name="upcoming"),
    path("events/past/", views.PastEventsView.as_view(), name="past"),
    path("events/feed.atom", require_safe(feeds.UpcomingEventsAtomFeed()), name="atom"),
    path("calendar.ics", calendar_views.group_feed, name="calendar"),
    path("calendar/", calendar_views.subscribe, name="subscribe"),
    # Before the personal feeds: no token is "all" (they are 43 characters long).
    path("calendar/all.ics", calendar_views.group_history_feed, name="calendar_history"),
    path("calendar/<str:token>.ics", calendar_views.personal_feed, name="personal_calendar"),
    path("events/<slug:slug>/calendar.ics", calendar_views.event_feed, name="event_calendar"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:slug>/rsvp/", views.rsvp, name="rsvp"),
    path("events/<slug:slug>/join-and-go/", views.join_and_go, name="join_and_go"),
    path("events/<slug:slug>/breakout/", views.choose_breakout, name="breakout"),
    path("events/<slug:slug>/check-in/", views.check_in, name="check_in"),
    path("events/<slug:slug>/message/", views.message_going, name="message"),
    path("events/<slug:slug>/attendees/", views.attendees, name="attendees"),
    path("me/events/", views.my_events, name="mine"),
    path("email/cant-make-it/<str:token>/", email_views.cant_make_it, name="cant_make_it"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker"),
    path(
        "speakers/<slug:slug>/photo/<slug:version>.<slug:ext>",
        views.speaker_photo,
        name="speaker_photo",
    ),
    path("events/<slug:slug>/cover/<slug:version>.<slug:ext>", views.cover_image, name="cover"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series"),
    path("series/<slug:slug>/calendar.ics", calendar_views.series_feed, name="series_calendar"),
    path("series/<slug:slug>/follow/", views.series_follow, name="series_follow"),
    # Other sites: the framable list of next events (only there) and oEmbed for event pages.
    path("embed/events/", embed_views.embed_events, name="embed"),
    path("embed/events/<slug:slug>/", embed_views.embed_event, name="embed_event"),
    path("oembed", embed_views.oembed, name="oembed"),
]
