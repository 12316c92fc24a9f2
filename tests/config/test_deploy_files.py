"""The Dockerfile, compose.yaml and .dockerignore say what tests/production/ runs.

No Docker engine runs where the tests run, so these files are read, not built: each
service's command must be one the production suite starts for real.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
POTLUCK_SERVICES = ["migrate", "web1", "web2", "worker", "reminders"]


def test_compose_runs_every_part_of_a_deployment():
    assert sorted(SERVICES) == sorted(["db", "redis", "caddy", *POTLUCK_SERVICES])
    assert sorted(COMPOSE["volumes"]) == [
        "backups",
        "caddy_config",
        "caddy_data",
        "media",
        "pgdata",
    ]


def test_compose_commands_are_the_ones_the_production_suite_runs():
    assert SERVICES["web1"]["command"] == ["gunicorn", "config.wsgi"]
    assert SERVICES["web2"]["command"] == ["gunicorn", "config.wsgi"]
    assert SERVICES["worker"]["command"] == ["python", "manage.py", "db_worker", "--no-reload"]
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert "manage.py send_reminders" in SERVICES["reminders"]["command"][-1]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "config.wsgi"]' in dockerfile
    # The same words start the servers in tests/production/.
    harness = "\n".join(p.read_text() for p in (ROOT / "tests" / "production").glob("*.py"))
    assert '"config.wsgi"' in harness
    assert '"db_worker"' in harness


def test_compose_services_share_media_and_configuration():
    for name in POTLUCK_SERVICES:
        service = SERVICES[name]
        assert service["env_file"] == "potluck.env"
        assert "media:/app/media" in service["volumes"]
        env = service["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["POTLUCK_TASKS_BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_forwarded_headers_are_trusted_from_the_proxy_only():
    proxy_address = SERVICES["caddy"]["networks"]["potluck"]["ipv4_address"]
    for name in POTLUCK_SERVICES:
        assert SERVICES[name]["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address
    for path in ("Dockerfile", "compose.yaml", "gunicorn.conf.py", "README.md"):
        text = (ROOT / path).read_text()
        assert not re.search(r"forwarded[-_]allow[-_]ips\W+\*", text, re.I), path
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"reverse_proxy web1:8000 web2:8000", caddyfile)


def test_gunicorn_config_trusts_loopback_by_default():
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert namespace["logger_class"] == "config.logredact.RedactingGunicornLogger"


def test_dockerignore_keeps_secrets_and_packages_out_of_the_image():
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"**/node_modules", "*.env", ".env", ".env.*", ".git", ".venv", "media"} <= patterns


def test_readme_gunicorn_command_is_the_one_compose_runs():
    readme = (ROOT / "README.md").read_text()
    assert "gunicorn config.wsgi" in readme
    assert "POTLUCK_SITE_URL=" in readme.split("### With gunicorn", 1)[1].split("###", 1)[0]
