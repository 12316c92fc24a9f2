"""Potluck settings, read from the environment with defaults that need no configuration.

Every variable is listed in README.md. With DJANGO_DEBUG unset or false (production),
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are required and start-up stops without them.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Production mode tried on one's own machine over plain http (README): no redirect to https,
# cookies without Secure, no HSTS. `check --deploy` refuses it (core/checks.py).
POTLUCK_HTTP_TRIAL = env_bool("POTLUCK_HTTP_TRIAL") and not DEBUG

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Earlier keys, still accepted for sessions, password-reset and emailed unsubscribe /
# "can't make it" links while they age out: how a key is rotated without breaking them.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
# Bans are kept as a keyed hash of the email address (groups.models.Ban). Its own key, so a
# rotation of DJANGO_SECRET_KEY does not lift them; without it SECRET_KEY serves.
POTLUCK_BAN_PEPPER = os.environ.get("POTLUCK_BAN_PEPPER", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or "potluck-development-only-not-secret"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver", "[::1]"]
else:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "Potluck is running in production mode (DJANGO_DEBUG is not set) and "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing. "
            "Set them in the environment (see README.md), or set DJANGO_DEBUG=1 to try "
            "Potluck locally."
        )

# The public address of the site, used in emails, feeds and absolute links.
# Required in production by `check --deploy` (core/checks.py): it must be https.
SITE_URL_FROM_ENVIRONMENT = bool(os.environ.get("POTLUCK_SITE_URL", "").strip())
SITE_URL = (os.environ.get("POTLUCK_SITE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: organizers' texts in English and Spanish (groups/translation.py,
    # events/translation.py), side by side in the admin.
    "modeltranslation",
    "core",
    "members",
    "groups",
    "events",
    "photos",
    "conversation",
    "decisions",
    "federation",
    "home",
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    # Two-factor sign-in (README "Two-factor sign-in"): TOTP, recovery codes and passkeys.
    "allauth.mfa",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Images (README "Photos"): oversized request bodies get 413 before they are read.
    "core.requestlimits.RequestBodyLimitMiddleware",
    "core.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.CompressionMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The JSON API (README "API"): anonymous (its requests lose their cookies before the
    # session), ETag and 304, CORS for reading, rate-limited.
    "api.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Personal responses (signed in, or private): Cache-Control: private, no-store.
    "core.middleware.PersonalPagesNoStoreMiddleware",
    # The admin opens only with a second factor (members/twofactor.py).
    "members.twofactor.AdminSecondFactorMiddleware",
    # Garbage (a NUL byte, bad UTF-8) in an admin query string: 400, not a database error.
    "core.adminguard.AdminQueryGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A member's own language (on /me/) wins over the browser's and the cookie's.
    "members.middleware.MemberLanguageMiddleware",
    # …and an address that names a language (?lang=es) over all of them.
    "members.middleware.AddressLanguageMiddleware",
    "groups.middleware.GroupTimezoneMiddleware",
    # Last, so a page taken from the cache has passed the CSRF, session and locale steps.
    "home.pagecache.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groups.context_processors.current_group",
            ],
        },
    },
]

# Form fields through the project's templates (templates/includes/field.html).
FORM_RENDERER = "core.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every web process and every server in production: allauth's rate
# limits, the contact form's limit and the upload limits live here, so per-process memory
# would let each worker count alone. Redis when REDIS_URL is set; otherwise Django's database
# cache (the potluck_cache table, made by `migrate`), which every server shares too.
# Development (DEBUG) without Redis keeps per-process memory.
# "bodies" holds rebuildable bodies (calendar feeds) keyed by a change generation read from
# the database, so it may be per process: a stale body is never served, only rebuilt.
REDIS_URL = os.environ.get("REDIS_URL", "")
# While Redis cannot be reached, each operation goes to the cache named by FALLBACK instead
# (core/cache.py): pages, feeds, logins and RSVPs keep working, and /healthz says so.
# Short socket timeouts, so a Redis that hangs costs a page a fraction of a second.
# After a failure Redis is tried again POTLUCK_REDIS_RETRY_SECONDS later (one refused
# connection per process and period, not one per cache call).
REDIS_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "RETRY_AFTER": env_int("POTLUCK_REDIS_RETRY_SECONDS", 5),
}
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "potluck_cache",
}
LOCAL_BODIES = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "bodies",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "potluck",
            "OPTIONS": {**REDIS_OPTIONS, "FALLBACK": "database"},
        },
        "bodies": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "potluck-bodies",
            "OPTIONS": {**REDIS_OPTIONS, "FALLBACK": "local-bodies"},
        },
        "database": DATABASE_CACHE,
        "local-bodies": LOCAL_BODIES,
    }
    # Sessions read from the cache, written through to the database (which keeps them across
    # a Redis restart, and serves them while Redis is away): a signed-in page saves a query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": (
            {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            if DEBUG
            else DATABASE_CACHE
        ),
        "bodies": LOCAL_BODIES,
    }

# Background work (emails): Django's immediate backend runs tasks in the web process, which
# needs nothing extra; production sets POTLUCK_TASKS_BACKEND=django_tasks_db.DatabaseBackend
# and runs `python manage.py worker` (core/management/commands/worker.py).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "POTLUCK_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# Federation (README "Federation (ActivityPub)"): fetching and delivering to private, loopback
# and link-local addresses (and plain http) is refused; only tests turn this on.
POTLUCK_FEDERATION_ALLOW_PRIVATE = os.environ.get("POTLUCK_FEDERATION_ALLOW_PRIVATE") == "1"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, verification is mandatory, enumeration is prevented
# and the default rate limits stay on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_DISPLAY = "members.models.user_display"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Joining (README "Joining"): the address is verified with a code typed on the page that
# follows the sign-up form, not with a link. Mail filters that open every link (Microsoft
# Defender's Safe Links and the like) cannot verify an address or make someone a member, and
# the sign-up continues in the same tab, where it came from (`next`).
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if SITE_URL.startswith("http://") else "https"
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
# Two-factor sign-in (README "Two-factor sign-in"): any member may turn it on in /me/, and the
# admin stays closed to organizers until they have (members.twofactor). An authenticator app
# (TOTP, with recovery codes made alongside) and passkeys (WebAuthn), which also sign in alone.
MFA_ADAPTER = "members.twofactor.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_FORMS = {
    "add_webauthn": "members.twofactor.AddPasskeyForm",
    "edit_webauthn": "members.twofactor.RenamePasskeyForm",
}
# A code typed as the app turns to the next one still counts (one 30-second step either side,
# RFC 6238's allowance for clock drift); each code still works once (allauth's cache).
MFA_TOTP_TOLERANCE = 1
# No MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN: it turns the origin check off entirely. Passkeys work
# over https, and on http://localhost for development and the browser tests (fido2 and the
# browsers both allow it; neither accepts an IP address such as 127.0.0.1).
# Behind a reverse proxy, how many proxies set X-Forwarded-For (0 trusts none).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("POTLUCK_TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# The language cookie set by the footer's switch (set_language) lasts a year.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG and not POTLUCK_HTTP_TRIAL
LOCALE_PATHS = [BASE_DIR / "locale"]
# Organizers' texts (event titles, descriptions, the group's pages, speaker bios, breakout
# topics) may have a Spanish version; where it is empty, Spanish readers see the English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = False

TIME_ZONE = "UTC"
USE_I18N = True
# One time format per language everywhere: "6:30 PM" in English, "18:30" in Spanish.
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("POTLUCK_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("POTLUCK_MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded images: the local folder by default, or an S3-compatible bucket (django-storages).
S3_BUCKET = os.environ.get("POTLUCK_S3_BUCKET", "")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("POTLUCK_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("POTLUCK_S3_REGION") or None,
            "access_key": os.environ.get("POTLUCK_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("POTLUCK_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",  # every image is served through Potluck's access checks
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    # Django's, but a write that fails on a full disk leaves no partial file (core/uploads.py).
    DEFAULT_STORAGE = {"BACKEND": "core.uploads.FileSystemStorage"}

# Request bodies over 2.5 MB wait in a temporary file: Django's handler, but a full temporary
# folder leaves no half-written file behind (core/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "core.uploads.TemporaryFileUploadHandler",
]
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django 6.1's MAILERS: SMTP when DJANGO_EMAIL_HOST is set, otherwise print to the console.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("DJANGO_EMAIL_PORT", 587),
                "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=True),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "potluck@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox (core/emails/outbox.py, README "The email worker and reminders"): how long a
# worker holds the emails it claimed; a worker that died holds them no longer than this.
POTLUCK_EMAIL_LEASE_SECONDS = env_int("POTLUCK_EMAIL_LEASE_SECONDS", 300)

# Content-Security-Policy: our own origin only, no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
# A form sent without a valid token gets the site's page (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "home.errors.csrf_failure"

if not DEBUG and not POTLUCK_HTTP_TRIAL:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The container's health check calls gunicorn directly over http.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    if ALLAUTH_TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Potluck's own limits.
POTLUCK_CONTACT_RATE = os.environ.get("POTLUCK_CONTACT_RATE", "5/h")
# Images (README "Photos"): photos one member may add an hour (organizers: no limit), takedown
# requests one member may make an hour, and the largest request body on a photo upload URL
# (10 files of 20 MB and the form; other URLs allow 21 MB or 3 MB, see core/requestlimits.py).
POTLUCK_UPLOAD_RATE = os.environ.get("POTLUCK_UPLOAD_RATE", "60/h")
POTLUCK_TAKEDOWN_RATE = os.environ.get("POTLUCK_TAKEDOWN_RATE", "5/h")
# Uploaded bytes left in photos/incoming/ and avatars/incoming/ that nothing waits for are
# removed by send_reminders once this old (core/uploads.py).
POTLUCK_INCOMING_MAX_AGE_HOURS = env_int("POTLUCK_INCOMING_MAX_AGE_HOURS", 24)
# Comments, discussions and replies one member may post (organizers are not limited).
POTLUCK_POST_RATE = os.environ.get("POTLUCK_POST_RATE", "20/h")
# Requests to the JSON API one address may make (README "API").
POTLUCK_API_RATE = os.environ.get("POTLUCK_API_RATE", "120/m")
# Webhooks (README "Webhooks"): the first retry's wait (each next one is 3 times longer), and
# whether private and loopback addresses may receive them (tests only: never in production).
POTLUCK_WEBHOOK_RETRY_SECONDS = float(os.environ.get("POTLUCK_WEBHOOK_RETRY_SECONDS", "30"))
POTLUCK_WEBHOOKS_ALLOW_PRIVATE = env_bool("POTLUCK_WEBHOOKS_ALLOW_PRIVATE", default=False)
POTLUCK_MAX_REQUEST_BYTES = env_int("POTLUCK_MAX_REQUEST_BYTES", 201 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Calendar, unsubscribe and "can't make it" tokens are secrets: never logged.
    "filters": {"redact_tokens": {"()": "config.logredact.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
