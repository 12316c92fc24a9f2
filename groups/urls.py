from django.urls import path

from . import views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("leave/", views.leave, name="leave"),
    path("group/cover/<slug:version>.<slug:ext>", views.cover_image, name="group_cover"),
    # create_organizer's one-time link (config/logredact.py keeps it out of the logs).
    path("organizer-link/<str:uidb36>/<str:key>/", views.organizer_link, name="organizer_link"),
    path("actions/", views.actions_pending, name="actions_pending"),
    path("actions/delete-group/", views.group_delete, name="group_delete"),
    path("actions/<int:pk>/", views.action_confirm, name="action_confirm"),
    path("actions/<int:pk>/withdraw/", views.action_withdraw, name="action_withdraw"),
    path("robots.txt", views.robots_txt, name="robots"),
]
