"""Secret tokens in addresses never reach a log: calendar feeds, email links, account keys.

Used by gunicorn's access log (gunicorn.conf.py) and by Django's request loggers (settings).
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
# Each pattern keeps what identifies the page and hides the secret part.
SECRET_PATHS = re.compile(
    r"(?P<keep>/calendar/|/email/unsubscribe/|/email/cant-make-it/"
    r"|/accounts/confirm-email/|/accounts/password/reset/key/)"
    r"(?P<secret>[^/?#\s\"]+)"
)
SECRET_QUERY = re.compile(r"(?P<keep>[?&](?:token|key|code)=)(?P<secret>[^&#\s\"]+)", re.I)


def redact(text: str) -> str:
    """The text with every secret token in an address replaced."""
    if not isinstance(text, str):
        return text
    text = SECRET_PATHS.sub(lambda m: m["keep"] + REDACTED, text)
    return SECRET_QUERY.sub(lambda m: m["keep"] + REDACTED, text)


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
    """gunicorn's access log with the request line, path, query and referrer redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{referer}i"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms
