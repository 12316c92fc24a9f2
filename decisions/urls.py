from django.urls import path

from . import consent_views, governance_views, log_views, views

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
    path("polls/<int:pk>/outcome/", views.poll_outcome, name="poll_outcome"),
    path("polls/<int:pk>/event/", views.poll_event, name="poll_event"),
    path("consent/", consent_views.decisions, name="decisions"),
    path("consent/new/", consent_views.decision_new, name="decision_new"),
    path("consent/<int:pk>/", consent_views.decision_detail, name="decision"),
    path("consent/<int:pk>/close/", consent_views.decision_close, name="decision_close"),
    path("polls/<int:pk>/cancel/", views.poll_cancel, name="poll_cancel"),
    path("log/", log_views.log, name="log"),
    path("log.json", log_views.log_json, name="log_json"),
]
