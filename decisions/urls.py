from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/support/", views.proposal_support, name="proposal_support"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("polls/", views.polls, name="polls"),
    path("polls/new/", views.poll_new, name="poll_new"),
    path("polls/<int:pk>/", views.poll_detail, name="poll"),
    path("polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path("polls/<int:pk>/cancel/", views.poll_cancel, name="poll_cancel"),
    path("log/", views.log, name="log"),
    path("log.json", views.log_json, name="log_json"),
]
