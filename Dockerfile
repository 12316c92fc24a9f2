# syntax=docker/dockerfile:1
# Potluck's production image: dependencies from uv.lock, static files collected at build
# time, gunicorn as a non-root user, and a health check against /healthz.

FROM python:3.13-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PIP_NO_CACHE_DIR=1
# GNU gettext's msgfmt for compilemessages (the .mo files are built here, never committed).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN pip install "uv>=0.9,<1"
WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    .venv/bin/python manage.py collectstatic --no-input \
    && DJANGO_SECRET_KEY=compilemessages-only DJANGO_ALLOWED_HOSTS=localhost \
    .venv/bin/python manage.py compilemessages --ignore=.venv -v0 \
    && .venv/bin/python -m compileall -q config home conversation decisions members photos \
    events groups core

FROM python:3.13-slim-bookworm AS runtime
# The commit this image was built from (compose passes `git rev-parse HEAD`): backups record it.
ARG POTLUCK_COMMIT=unknown
# pg_dump / psql 15 for `manage.py backup` and `restore` (README, "Backup and restore").
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 potluck \
    && useradd --system --uid 10001 --gid potluck --home-dir /app --shell /usr/sbin/nologin potluck \
    && mkdir -p /app/media /app/backups && chown potluck:potluck /app/media /app/backups
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV POTLUCK_COMMIT=${POTLUCK_COMMIT} \
    PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    POTLUCK_MEDIA_ROOT=/app/media \
    POTLUCK_BIND=0.0.0.0:8000 \
    WEB_CONCURRENCY=3
USER potluck
VOLUME ["/app/media", "/app/backups"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "config.healthcheck"]
# The web server by default, configured by /app/gunicorn.conf.py: forwarded headers are
# trusted only from FORWARDED_ALLOW_IPS (set it to the proxy's address; never "*"), and
# tokens are redacted from the access log. The same image runs the task worker
# (python manage.py worker), reminders (python manage.py send_reminders --every 300) and
# migrations (python manage.py migrate); compose.yaml runs them all.
CMD ["gunicorn", "config.wsgi"]
