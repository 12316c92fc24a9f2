from django.urls import path

from . import views

app_name = "conversation"
urlpatterns = [
    path("events/<slug:slug>/comments/", views.comments, name="comments"),
    path("events/<slug:slug>/comments/<int:pk>/", views.comment_detail, name="comment"),
    path("events/<slug:slug>/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path(
        "events/<slug:slug>/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"
    ),
    path(
        "events/<slug:slug>/comments/<int:pk>/moderate/",
        views.comment_moderate,
        name="comment_moderate",
    ),
    path(
        "events/<slug:slug>/comments/<int:pk>/report/", views.comment_report, name="comment_report"
    ),
    path("discussions/", views.board, name="board"),
    path("discussions/new/", views.thread_new, name="thread_new"),
    path("discussions/<int:pk>/", views.thread_detail, name="thread"),
    path("discussions/<int:pk>/edit/", views.thread_edit, name="thread_edit"),
    path("discussions/<int:pk>/delete/", views.thread_delete, name="thread_delete"),
    path("discussions/<int:pk>/follow/", views.thread_follow, name="thread_follow"),
    path("discussions/<int:pk>/moderate/", views.thread_moderate, name="thread_moderate"),
    path("discussions/<int:pk>/report/", views.thread_report, name="thread_report"),
    path("discussions/<int:pk>/replies/<int:reply_pk>/", views.reply_detail, name="reply"),
    path("discussions/<int:pk>/replies/<int:reply_pk>/edit/", views.reply_edit, name="reply_edit"),
    path(
        "discussions/<int:pk>/replies/<int:reply_pk>/delete/",
        views.reply_delete,
        name="reply_delete",
    ),
    path(
        "discussions/<int:pk>/replies/<int:reply_pk>/moderate/",
        views.reply_moderate,
        name="reply_moderate",
    ),
    path(
        "discussions/<int:pk>/replies/<int:reply_pk>/report/",
        views.reply_report,
        name="reply_report",
    ),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
]
