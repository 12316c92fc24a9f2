# syntax=docker/dockerfile:1
# Potluck's production image: dependencies from uv.lock, static files collected at build
# time, gunicorn as a non-root user, and a health check against /healthz.

FROM python:3.13-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PIP_NO_CACHE_DIR=1
RUN pip install "uv>=0.9,<1"
WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    .venv/bin/python manage.py collectstatic --no-input \
    && .venv/bin/python -m compileall -q config groups events members photos

FROM python:3.13-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 potluck \
    && useradd --system --uid 10001 --gid potluck --home-dir /app --shell /usr/sbin/nologin potluck \
    && mkdir -p /app/media && chown potluck:potluck /app/media
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    POTLUCK_MEDIA_ROOT=/app/media \
    WEB_CONCURRENCY=3
USER potluck
VOLUME ["/app/media"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "config.healthcheck"]
# The web server by default. The same image runs the email worker
# (docker run IMAGE python manage.py db_worker --no-reload), reminders
# (docker run IMAGE python manage.py send_reminders, every few minutes) and migrations
# (docker run IMAGE python manage.py migrate).
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
