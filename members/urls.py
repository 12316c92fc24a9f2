from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/two-factor/admin/", views.admin_two_factor, name="admin_two_factor"),
    path("me/calendar/rotate/", views.rotate_calendar_token, name="rotate_calendar"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete_account, name="delete"),
    path("members/", views.directory, name="directory"),
    path("members/<int:pk>/", views.profile, name="profile"),
    path("members/<int:pk>/avatar.jpg", views.avatar, name="avatar"),
    path("privacy/", views.privacy, name="privacy"),
]
