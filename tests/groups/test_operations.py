"""Operating a real installation: the first organizer, health, logs without secrets."""

import io
import logging
import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from config.logredact import REDACTED, RedactTokens, redact
from groups.models import Group, Membership, Role
from groups.permissions import organizers_group
from members.models import User
from tests.factories import UserFactory
from tests.twofactor import activate_totp

pytestmark = pytest.mark.django_db


def _create_organizer(*args):
    out = io.StringIO()
    call_command("create_organizer", *args, stdout=out)
    return out.getvalue()


@override_settings(SITE_URL="https://coops.example.org")
def test_create_organizer_on_a_fresh_site_needs_no_smtp(client, mailoutbox):
    with pytest.raises(CommandError, match="has no group yet"):
        _create_organizer("ana@example.org")
    output = _create_organizer("Ana@Example.org", "--name", "Ana", "--group-name", "Platform Coops")
    assert mailoutbox == []
    group = Group.objects.get()
    user = User.objects.get(email="ana@example.org")
    assert (group.name, user.display_name, user.is_staff, user.has_usable_password()) == (
        "Platform Coops",
        "Ana",
        True,
        False,
    )
    assert list(user.groups.all()) == [organizers_group()]
    assert Membership.objects.get(user=user).role == Role.ORGANIZER
    assert EmailAddress.objects.get(user=user).verified
    link = re.search(r"https://coops\.example\.org(/organizer-link/\S+)", output)
    assert link, output
    # The link sets a password once, signs the organizer in and opens the admin, which waits
    # for a second factor, all without any email.
    form = client.get(link[1])
    assert form.status_code == 200
    done = client.post(link[1], PASSWORDS)
    assert (done.status_code, done["Location"]) == (302, "/admin/")
    assert client.get("/admin/")["Location"] == "/me/two-factor/admin/?next=%2Fadmin%2F"
    activate_totp(client, "a long new passphrase")
    assert client.get("/admin/").status_code == 200
    client.logout()
    assert client.get(link[1]).status_code == 410
    assert client.login(email="ana@example.org", password="a long new passphrase")


def _organizer_link(email: str) -> str:
    output = _create_organizer(email)
    return re.search(r"(/organizer-link/\S+)", output)[1]


PASSWORDS = {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"}


def test_opening_the_organizer_link_twice_spends_nothing(client, group):
    link = _organizer_link("ana@example.org")
    scanner = Client()  # a link scanner, a mail preview: GET and HEAD, no cookies kept
    assert scanner.get(link).status_code == 200
    assert scanner.head(link).status_code == 200
    first = client.get(link)
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("max-age=0")
    assert "no-store" in first["Cache-Control"]
    assert "Choose your password" in first.content.decode()
    assert client.get(link).status_code == 200
    done = client.post(link, PASSWORDS)
    assert (done.status_code, done["Location"]) == (302, "/admin/")
    user = User.objects.get(email="ana@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.check_password("a long new passphrase")


def test_the_organizer_link_refuses_a_second_post(client, group):
    link = _organizer_link("ana@example.org")
    assert client.post(link, PASSWORDS).status_code == 302
    other = Client()
    again = other.post(
        link, {"new_password1": "someone else's phrase", "new_password2": "someone else's phrase"}
    )
    assert again.status_code == 410
    assert "This link has been used already" in again.content.decode()
    assert "_auth_user_id" not in other.session
    assert User.objects.get(email="ana@example.org").check_password("a long new passphrase")


def test_the_organizer_link_with_a_wrong_key_is_refused(client, group):
    link = _organizer_link("ana@example.org")
    wrong = re.sub(r"/[^/]+/$", "/not-the-key/", link)
    assert client.get(wrong).status_code == 410
    assert client.post(wrong, PASSWORDS).status_code == 410
    assert client.get("/organizer-link/zzzzzzzzzzzzzzzzzzzz/x/").status_code == 410


def test_the_organizer_link_never_stands_in_for_a_second_factor(client, group):
    user = UserFactory(email="ana@example.org", is_staff=True)  # staff: a TOTP already
    link = _organizer_link(user.email)
    done = client.post(link, PASSWORDS)
    assert (done.status_code, done["Location"]) == (302, "/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_create_organizer_promotes_an_existing_member(group, member):
    _create_organizer(member.email)
    member.refresh_from_db()
    assert member.is_staff
    assert Membership.objects.get(user=member).role == Role.ORGANIZER
    assert Group.objects.count() == 1


def test_create_organizer_refuses_a_bad_address(group):
    with pytest.raises(CommandError, match="is not an email address"):
        _create_organizer("not-an-address")
    assert not User.objects.exists()


def test_healthz_answers_503_without_detail_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OSError("connection refused: secret-host:5432")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"unavailable\n")


SECRETS = [
    "/calendar/s3cr3tTOKEN.ics",
    "/email/unsubscribe/s3cr3tTOKEN/",
    "/email/cant-make-it/s3cr3tTOKEN/",
    "/accounts/confirm-email/s3cr3tTOKEN/",
    "/accounts/password/reset/key/1a-s3cr3tTOKEN/",
    "/calendar.ics?token=s3cr3tTOKEN",
]


@pytest.mark.parametrize("path", SECRETS)
def test_tokens_are_redacted(path):
    assert "s3cr3tTOKEN" not in redact(f"GET {path} HTTP/1.1")
    assert REDACTED in redact(path)


def test_public_addresses_are_logged_as_they_are():
    for path in (
        "/calendar.ics",
        "/calendar/",
        "/calendar/all.ics",
        "/events/coop-night/calendar.ics",
        "/email/",
    ):
        assert redact(path) == path


# Addresses that do not resolve (or resolve only once decoded) still carry the token.
UNRESOLVED_SECRETS = [
    "/calendar/s3cr3tTOKEN.ics.bak",
    "/email/unsubscribe/s3cr3tTOKEN/extra",
    "/email/unsubscribe//s3cr3tTOKEN/",
    "/email/cant-make-it/x/s3cr3tTOKEN",
    "/CALENDAR/s3cr3tTOKEN.ics",
    "/%63alendar/s3cr3tTOKEN.ics",
    "/calendar%2Fs3cr3tTOKEN.ics",
    "/email%252Funsubscribe%252Fs3cr3tTOKEN/",
    "/accounts/password/reset/key/1a-s3cr3tTOKEN/junk/",
    "/accounts/password/reset/key/1a-set-password/?key=s3cr3tTOKEN",
    "/organizer-link/1a/s3cr3tTOKEN/",
    "https://coops.example.org/calendar/s3cr3tTOKEN.ics~",
]


@pytest.mark.parametrize("path", UNRESOLVED_SECRETS)
def test_tokens_are_redacted_when_the_address_does_not_resolve(path):
    assert "s3cr3tTOKEN" not in redact(f"GET {path} HTTP/1.1").replace("%", "")
    assert REDACTED in redact(path)


def _gunicorn_access_line(path: str, query: str = "", referer: str = "-") -> str:
    """One access log line written by the logger gunicorn.conf.py names, in gunicorn's
    default format plus the raw URI and path from the environment."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from config.logredact import RedactingGunicornLogger

    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format",
        config.access_log_format + ' "%({raw_uri}e)s" "%(U)s" "%(q)s" "%({path_info}e)s"',
    )
    logger = RedactingGunicornLogger(config)
    raw = path + (f"?{query}" if query else "")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": unquote(path),
        "QUERY_STRING": query,
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "curl",
    }
    response = SimpleNamespace(status="404 Not Found", sent=12, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.addHandler(handler)
    try:
        logger.access(response, request, environ, timedelta(milliseconds=3))
    finally:
        logger.access_log.removeHandler(handler)
    return stream.getvalue()


@pytest.mark.parametrize("path", UNRESOLVED_SECRETS)
def test_gunicorn_access_log_names_no_token(path):
    line = _gunicorn_access_line(path, referer=f"https://coops.example.org{path}")
    assert line.startswith("203.0.113.9 - - [")
    assert "s3cr3tTOKEN" not in line.replace("%", "")
    assert REDACTED in line


def test_gunicorn_access_log_redacts_a_token_in_the_query():
    line = _gunicorn_access_line("/calendar.ics", query="token=s3cr3tTOKEN&lang=es")
    assert "s3cr3tTOKEN" not in line
    assert "/calendar.ics?token=[redacted]&lang=es" in line


@pytest.mark.parametrize(
    "path", ["/calendar/s3cr3tTOKEN.ics.bak", "/email/unsubscribe/s3cr3tTOKEN/extra"]
)
def test_django_request_log_of_an_address_that_does_not_resolve_names_no_token(client, path):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get(path).status_code == 404
    finally:
        logger.removeHandler(handler)
    assert "Not Found: " in stream.getvalue()
    assert "s3cr3tTOKEN" not in stream.getvalue()


def test_django_request_log_names_no_token(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get("/calendar/s3cr3tTOKEN.ics").status_code == 404
    finally:
        logger.removeHandler(handler)
    assert "Not Found: /calendar/[redacted]" in stream.getvalue()
    assert "s3cr3tTOKEN" not in stream.getvalue()


def test_html_and_feeds_are_compressed_for_clients_that_ask(client, group):
    """Brotli where no secret is on the response (the feed), gzip with Django's random
    padding where a CSRF token is (the home page's contact form): core/compression.py.
    The feed gets events: an empty body is sometimes not shorter once compressed."""
    import gzip
    from datetime import timedelta

    import brotli
    from django.utils import timezone

    from tests.factories import EventFactory

    for days in (3, 10):
        EventFactory(group=group, starts_at=timezone.now() + timedelta(days=days))

    for url, coding in (("/", "gzip"), ("/calendar.ics", "br")):
        plain = client.get(url)
        packed = client.get(url, headers={"accept-encoding": "gzip, br"})
        assert packed["Content-Encoding"] == coding
        assert "Accept-Encoding" in packed["Vary"]
        assert len(packed.content) < len(plain.content)
        if url == "/calendar.ics":
            assert brotli.decompress(packed.content) == plain.content
        else:  # the page's CSRF token is masked afresh for each response
            assert gzip.decompress(packed.content).startswith(b"<!DOCTYPE html>")
        only_gzip = client.get(url, headers={"accept-encoding": "gzip"})
        assert only_gzip["Content-Encoding"] == "gzip"
    etag = client.get("/calendar.ics", headers={"accept-encoding": "gzip"})["ETag"]
    again = client.get("/calendar.ics", headers={"accept-encoding": "gzip", "if-none-match": etag})
    assert again.status_code == 304


def test_emailed_links_survive_a_key_rotation_with_fallbacks(settings, member):
    from django.core import signing

    from core.emails.kinds import kinds
    from core.emails.message import read_unsubscribe_token, unsubscribe_token
    from events.emails import EventEmail

    old_key = settings.SECRET_KEY
    token = unsubscribe_token(member, EventEmail.REMINDER)
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(token)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert read_unsubscribe_token(token) == (member.pk, kinds.get(EventEmail.REMINDER))


def test_a_client_that_refuses_every_coding_gets_the_body_as_it_is(client, group):
    from tests.factories import EventFactory

    EventFactory(group=group)
    for header in ("gzip;q=0, br;q=0", "identity", "*;q=0"):
        response = client.get("/events/", headers={"accept-encoding": header})
        assert response.status_code == 200 and not response.has_header("Content-Encoding")
        assert response.content.startswith(b"<!DOCTYPE html>")
        assert "Accept-Encoding" in response["Vary"]
