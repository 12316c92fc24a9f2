from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from events.sitemaps import SITEMAPS
from members.language import language as member_language
from members.views import two_factor_index

# The admin's own login form is replaced by allauth's, with its rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Potluck"
admin.site.site_title = "Potluck"

static_lazy = lazy(static, str)

# A database that cannot be reached answers 503 with Retry-After, not 500 (core/errors.py).
handler500 = "core.errors.server_error"

urlpatterns = [
    path("", include("core.urls")),
    path("", include("home.urls")),
    path("", include("groups.urls")),
    path("", include("events.urls")),
    path("", include("photos.urls")),
    path("", include("conversation.urls")),
    path("", include("decisions.urls")),
    path("", include("federation.urls")),
    path("api/", include("api.urls")),
    path("language/", member_language, name="set_language"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    # allauth's two-factor overview is /me/'s "Two-factor sign-in" card (mfa_index resolves here).
    path("accounts/2fa/", two_factor_index),
    path("accounts/", include("allauth.urls")),
    path("", include("members.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url=static_lazy("img/favicon.svg"))),
]
