"""gunicorn's settings for Potluck, read automatically by `gunicorn config.wsgi` from this folder.

Every value can still be overridden on the command line or by gunicorn's own environment
variables (WEB_CONCURRENCY, FORWARDED_ALLOW_IPS, GUNICORN_CMD_ARGS).
"""

import os

bind = os.environ.get("POTLUCK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Forwarded headers (X-Forwarded-Proto, X-Forwarded-For) are believed only from these
# addresses: the TLS proxy in front. Never "*": any client could then claim to be https.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
logger_class = "config.logredact.RedactingGunicornLogger"
# A worker that has not answered in 30 s is restarted; uploads are decoded within limits
# that keep every request far below this (see README, "Photos").
timeout = 30
# Request lines and headers are bounded by gunicorn's defaults (limit_request_line 4094,
# limit_request_fields 100); bodies are bounded by Potluck itself (POTLUCK_MAX_REQUEST_BYTES)
# and, in front, by the proxy (Caddy's request_body max_size).
# No control socket (gunicorn 25's `gunicornc`, which Potluck does not use): every gunicorn of
# a user shares one default path ($HOME/.gunicorn/gunicorn.ctl), so the second of two servers
# started on one machine logged "Control server error: Address already in use" (seen in the
# production suite's two servers).
control_socket_disable = True
