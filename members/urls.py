from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/notifications/", views.me_notifications, name="me_notifications"),
    path("me/calendar/", views.me_calendar, name="me_calendar"),
    path("me/security/", views.me_security, name="me_security"),
    path("me/data/", views.me_data, name="me_data"),
    path("me/two-factor/admin/", views.admin_two_factor, name="admin_two_factor"),
    path("me/calendar/rotate/", views.rotate_calendar_token, name="rotate_calendar"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete_account, name="delete"),
    path("members/", views.directory, name="directory"),
    path("members/<int:pk>/", views.profile, name="profile"),
    path("members/<int:pk>/avatar.jpg", views.avatar, name="avatar"),
    path("privacy/", views.privacy, name="privacy"),
]
