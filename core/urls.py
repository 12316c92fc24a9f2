from django.urls import path

from . import health
from .emails import views as email_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The path every unsubscribe link already in members' inboxes names.
    path("email/unsubscribe/<str:token>/", email_views.unsubscribe, name="email_unsubscribe"),
]
