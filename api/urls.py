from django.urls import path

from .docs import docs
from .endpoints import api

app_name = "api"
# django-ninja's own "api-root" stays last, behind endpoints.root at the same address: the
# schema reads the API's prefix from it.
urlpatterns = [path("docs/", docs, name="docs"), *api.urls[0]]
