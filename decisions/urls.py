from django.urls import path

from . import governance_views, views

app_name = "decisions"
urlpatterns = [
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/support/", views.proposal_support, name="proposal_support"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("polls/", views.polls, name="polls"),
    path("polls/new/", views.poll_new, name="poll_new"),
    path("polls/election/", governance_views.election_new, name="election_new"),
    path("polls/setting/", governance_views.setting_poll_new, name="setting_poll_new"),
    path("polls/<int:pk>/", views.poll_detail, name="poll"),
    path("polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path("polls/<int:pk>/receipt/", views.poll_receipt_email, name="poll_receipt_email"),
    path("log/", views.log, name="log"),
]
