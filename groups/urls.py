from django.urls import path

from . import views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("leave/", views.leave, name="leave"),
    path("group/cover/<slug:version>.<slug:ext>", views.cover_image, name="group_cover"),
    path("robots.txt", views.robots_txt, name="robots"),
]
