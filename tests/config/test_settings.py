import functools
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env_changes):
    """`manage.py args` in a process of its own, with the environment changed: the settings
    read it once, at start. The same command in the same environment runs once per test run
    (two tests ask for `check --deploy` in PRODUCTION's)."""
    return _run_once(tuple(args), tuple(sorted(env_changes.items())))


@functools.cache
def _run_once(args, env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POTLUCK_"))}
    env.update({k: v for k, v in env_changes if v is not None})
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _run(["check"], DJANGO_ALLOWED_HOSTS="potluck.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing" in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" not in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _run(["check"], DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is missing" in result.stderr


def test_production_check_deploy_is_clean():
    result = _run(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="potluck.example",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_EMAIL_HOST="smtp.potluck.example",
        POTLUCK_SITE_URL="https://potluck.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "potluck.example",
    "DJANGO_EMAIL_HOST": "smtp.potluck.example",
}


def test_check_deploy_refuses_a_missing_site_url():
    result = _run(["check", "--deploy"], **PRODUCTION)
    assert result.returncode == 1
    assert "potluck.E001" in result.stderr
    assert "POTLUCK_SITE_URL is not set" in result.stderr


def test_check_deploy_refuses_a_plain_http_site_url():
    result = _run(["check", "--deploy"], **PRODUCTION, POTLUCK_SITE_URL="http://potluck.example")
    assert result.returncode == 1
    assert "potluck.E002" in result.stderr


def test_production_without_redis_shares_the_database_cache():
    code = (
        "from django.conf import settings; c = settings.CACHES;"
        "print(c['default']['BACKEND'], c['default']['LOCATION'], c['bodies']['BACKEND'])"
    )
    result = _run(["shell", "--no-imports", "-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.db.DatabaseCache",
        "potluck_cache",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_seed_demo_refuses_in_production():
    result = _run(["seed_demo"], **PRODUCTION)
    assert result.returncode == 1
    assert "refuses to run in production" in result.stderr
    assert "--in-production" in result.stderr


def test_production_uses_redis_cache_when_configured():
    code = (
        "from django.conf import settings;"
        "d = settings.CACHES['default'];"
        "print(d['BACKEND'], d['LOCATION'], d['OPTIONS']['FALLBACK'],"
        " settings.CACHES[d['OPTIONS']['FALLBACK']]['BACKEND'], settings.SESSION_ENGINE)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="potluck.example",
        DJANGO_SETTINGS_MODULE="config.settings",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "core.cache.FailoverRedisCache",
        "redis://127.0.0.1:6379/3",
        "database",  # while Redis is away: the database cache every server shares
        "django.core.cache.backends.db.DatabaseCache",
        "django.contrib.sessions.backends.cached_db",  # written through to the database
    ]


def test_s3_storage_is_configured_from_the_environment():
    code = (
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POTLUCK_"))}
    env.update(
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        POTLUCK_S3_BUCKET="potluck-photos",
        POTLUCK_S3_ENDPOINT_URL="https://s3.example.org",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "S3Storage",
        "potluck-photos",
        "https://s3.example.org",
        "private",
    ]


def test_make_run_links_name_the_address_it_serves():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POTLUCK_"))}
    result = subprocess.run(
        ["make", "--no-print-directory", "site-url", "HOST=127.0.0.5", "PORT=8830"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "http://127.0.0.5:8830"


def test_check_deploy_fails_when_a_catalog_is_not_compiled(tmp_path, settings):
    from core.checks import translations_are_compiled

    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = folder / "django.po"
    catalog.write_text('msgid ""\nmsgstr ""\n')
    settings.LOCALE_PATHS = [tmp_path]
    assert [error.id for error in translations_are_compiled(None)] == ["potluck.E003"]
    compiled = folder / "django.mo"
    compiled.write_bytes(b"")
    os.utime(compiled, (catalog.stat().st_mtime + 10,) * 2)
    assert translations_are_compiled(None) == []
    os.utime(compiled, (catalog.stat().st_mtime - 10,) * 2)  # the catalog changed since
    [error] = translations_are_compiled(None)
    assert error.id == "potluck.E003"
    assert "older" in error.msg


def test_the_http_trial_turns_off_https_and_check_deploy_refuses_it():
    """One process prints the settings and then runs `check --deploy` as manage.py does (its
    exit status and messages are the process's)."""
    trial = {**PRODUCTION, "POTLUCK_SITE_URL": "http://127.0.0.1:8000", "POTLUCK_HTTP_TRIAL": "1"}
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, flush=True);"
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy'])"
    )
    checked = _run(["shell", "--no-imports", "-c", code], **trial)
    assert checked.stdout.split() == ["False", "False", "False", "False", "0"]
    assert checked.returncode == 1
    assert "potluck.E004" in checked.stderr
    assert "potluck.E004" not in _run(["check", "--deploy"], **PRODUCTION).stderr
