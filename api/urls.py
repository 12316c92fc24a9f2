from django.urls import path

from .docs import docs
from .endpoints import api

app_name = "api"
urlpatterns = [path("docs/", docs, name="docs"), *api.urls[0]]
