"""Secret tokens in addresses never reach a log: calendar feeds, email links, account keys.

Used by gunicorn's access log (gunicorn.conf.py) and by Django's request loggers (settings).

Whether the address resolves does not matter: a token in `/calendar/<token>.ics.bak`, in
`/email/unsubscribe/<token>/extra`, after a doubled slash, in another case or percent-encoded
(`/%63alendar/<token>.ics`, which Django decodes and serves) is the same secret. Everything
after a token route's prefix, up to the query string, is replaced.
"""

import logging
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
# The routes whose path carries a secret from its prefix on: the personal calendar feed, the
# emailed unsubscribe and "can't make it" links, allauth's email confirmation and password
# reset keys (create_organizer's one-time link is a password reset key), and the organizer's
# one-time link.
SECRET_PREFIXES = (
    "/calendar/",
    "/email/unsubscribe/",
    "/email/cant-make-it/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/key/",
    "/organizer-link/",
)
# Public pages that start like a token route and carry no secret.
PUBLIC_AFTER_PREFIX = {"/calendar/": ("all.ics",)}
SECRET_PATHS = re.compile(
    r"(?P<keep>(?:" + "|".join(re.escape(p[:-1]) for p in SECRET_PREFIXES) + r")/+)"
    r"(?P<secret>[^?#\s\"']+)",
    re.IGNORECASE,
)
# In an address, or a query string alone (gunicorn's %(q)s).
SECRET_QUERY = re.compile(
    r"(?P<keep>(?:^|[?&;])(?:token|key|code)=)(?P<secret>[^&;#\s\"']+)", re.IGNORECASE
)
# A run of characters that may hold an address: up to whitespace or a quote.
RUN = re.compile(r"[^\s\"']+")


def _path_secret(match: re.Match) -> str:
    keep, secret = match["keep"], match["secret"]
    public = PUBLIC_AFTER_PREFIX.get(keep.lower().rstrip("/") + "/", ())
    if secret.lower() in public:
        return match[0]
    return keep + REDACTED


def _redact_plain(text: str) -> str:
    text = SECRET_PATHS.sub(_path_secret, text)
    return SECRET_QUERY.sub(lambda m: m["keep"] + REDACTED, text)


def _redact_run(run: str) -> str:
    decoded = run
    for _round in range(3):  # percent-encoded, even twice over
        if "%" not in decoded:
            break
        decoded = unquote(decoded, errors="replace")
    redacted = _redact_plain(decoded)
    if redacted != decoded:
        return redacted  # logged decoded: the encoded form hid the token route
    return _redact_plain(run)


def redact(text: str) -> str:
    """The text with every secret token in an address replaced."""
    if not isinstance(text, str):
        return text
    return RUN.sub(lambda m: _redact_run(m[0]), text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments (Django's "Not Found: /calendar/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(value) for key, value in record.args.items()}
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's access log with every text atom redacted: the request line, path, query,
    referrer, and the request headers and environment variables a format may name."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}
