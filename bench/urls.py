"""Potluck's URLs plus /bench/hello/: "ok" through the same middleware, served the same way.

The hello-world view is the limit bench/speed.py measures every page against (GUIDE.md,
"Performance habits"); it is mounted only under bench/settings.py, never in production.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from config.urls import urlpatterns as potluck_urlpatterns


@require_safe
def hello(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/hello/", hello, name="bench_hello"), *potluck_urlpatterns]
