from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.me, name="me"),
    path("calendar/rotate/", views.rotate_calendar_token, name="rotate_calendar"),
]
