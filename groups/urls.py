from django.urls import path

from . import health, views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("leave/", views.leave, name="leave"),
    path("group/cover/<slug:version>.<slug:ext>", views.cover_image, name="group_cover"),
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
]
