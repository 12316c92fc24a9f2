from django.urls import path

from . import views

app_name = "federation"

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("inbox", views.shared_inbox, name="shared_inbox"),
    path("federation/<slug:slug>", views.actor, name="actor"),
    path("federation/<slug:slug>/inbox", views.inbox, name="inbox"),
    path("federation/<slug:slug>/outbox", views.outbox, name="outbox"),
    path("federation/<slug:slug>/followers", views.followers, name="followers"),
    path("federation/<slug:slug>/events/<int:pk>", views.event, name="event"),
]
