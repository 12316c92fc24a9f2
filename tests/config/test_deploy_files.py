"""The Dockerfile, compose.yaml and .dockerignore say what tests/production/ runs.

No Docker engine runs where the tests run, so these files are read, not built: each
service's command must be one the production suite starts for real.
"""

import re
import subprocess
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
        "redisdata",
    ]


def test_compose_commands_are_the_ones_the_production_suite_runs():
    assert SERVICES["web1"]["command"] == ["gunicorn", "config.wsgi"]
    assert SERVICES["web2"]["command"] == ["gunicorn", "config.wsgi"]
    assert SERVICES["worker"]["command"] == ["python", "manage.py", "worker"]
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    reminders = ["python", "manage.py", "send_reminders", "--every", "300"]
    assert SERVICES["reminders"]["command"] == reminders
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "config.wsgi"]' in dockerfile
    # The same words start the servers in tests/production/ (test_faults.py stops the
    # database under the worker and `send_reminders --every`).
    harness = "\n".join(p.read_text() for p in (ROOT / "tests" / "production").glob("*.py"))
    assert '"config.wsgi"' in harness
    assert 'self.start(name, "worker")' in harness
    assert '"send_reminders", "--every"' in harness


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
    section = readme.split("### With gunicorn and systemd", 1)[1].split("\n### ", 1)[0]
    assert "gunicorn config.wsgi" in section
    assert "compilemessages" in section  # or every Spanish reader gets English
    assert "cp deploy/systemd/potluck-* /etc/systemd/system/" in section


SYSTEMD = ROOT / "deploy" / "systemd"


def _unit(name: str) -> dict[str, dict[str, str]]:
    """A systemd unit file as {section: {key: value}} (one value per key suffices here)."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in (SYSTEMD / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, value = line.split("=", 1)
            current[key] = value
    return sections


def test_systemd_units_run_what_compose_and_the_production_suite_run():
    python = "/srv/potluck/.venv/bin/python"
    expected = {
        "potluck-web.service": "/srv/potluck/.venv/bin/gunicorn config.wsgi",
        "potluck-worker.service": f"{python} manage.py worker",
        "potluck-reminders.service": f"{python} manage.py send_reminders",
        "potluck-backup.service": f"{python} manage.py backup --output-dir /var/backups/potluck",
    }
    for name, command in expected.items():
        service = _unit(name)["Service"]
        assert service["ExecStart"] == command, name
        assert service["EnvironmentFile"] == "/srv/potluck/potluck.env", name
        assert service["WorkingDirectory"] == "/srv/potluck", name
        assert service["User"] == "potluck", name
    for name in ("potluck-web.service", "potluck-worker.service"):
        assert _unit(name)["Service"]["Restart"] == "always", name
    assert _unit("potluck-reminders.timer")["Timer"]["OnUnitActiveSec"] == "5min"
    assert _unit("potluck-backup.timer")["Timer"]["OnCalendar"] == "*-*-* 03:15:00"
    units = sorted(path.name for path in SYSTEMD.iterdir())
    readme = (ROOT / "README.md").read_text()
    for name in units:
        assert f"`{name}`" in readme or name.removesuffix(".service") in readme, name


def _sourced(path: Path) -> dict[str, str]:
    """The variables `sh` gets from `set -a; . FILE; set +a` (README's and cron's way)."""
    done = subprocess.run(  # noqa: S603
        ["sh", "-c", f'set -a; . "{path}"; set +a; env -0'],  # noqa: S607
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
        text=True,
    )
    pairs = (item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
    return {key: value for key, value in pairs if key.startswith(("DJANGO_", "POTLUCK_"))}


def test_the_env_example_reads_the_same_in_sh_and_compose():
    """sh, systemd's EnvironmentFile and compose's env_file all take KEY="value" lines and
    drop the quotes; an unquoted value with spaces or <> would break sh."""
    example = ROOT / "deploy" / "potluck.env.example"
    written = {}
    for line in example.read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            assert value.startswith('"') and value.endswith('"'), line
            written[key] = value[1:-1]
    assert _sourced(example) == written
    assert written["DJANGO_DEFAULT_FROM_EMAIL"] == "Platform Coops <hello@coops.example.org>"


def test_caddy_gets_the_domain_and_none_of_the_secrets():
    caddy = SERVICES["caddy"]
    assert "env_file" not in caddy
    assert caddy["environment"] == {
        "POTLUCK_DOMAIN": "${POTLUCK_DOMAIN:?set POTLUCK_DOMAIN in .env}"
    }
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert set(re.findall(r"\{\$(\w+)\}", caddyfile)) == {"POTLUCK_DOMAIN"}
    compose_env = (ROOT / "deploy" / "compose.env.example").read_text()
    assert 'POTLUCK_DOMAIN="' in compose_env
    assert "POTLUCK_DOMAIN" not in (ROOT / "deploy" / "potluck.env.example").read_text()


def test_the_image_and_compose_record_the_commit():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG POTLUCK_COMMIT" in dockerfile
    assert "ENV POTLUCK_COMMIT=${POTLUCK_COMMIT}" in dockerfile
    assert COMPOSE["x-potluck"]["build"]["args"] == {"POTLUCK_COMMIT": "${POTLUCK_COMMIT:-unknown}"}


def test_redis_keeps_its_append_only_file():
    redis = SERVICES["redis"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert "redisdata:/data" in redis["volumes"]


def test_readme_restores_inside_compose_with_the_services_compose_has():
    readme = (ROOT / "README.md").read_text()
    steps = readme.split("Restoring inside the compose deployment", 1)[1].split("\n\n", 2)[1]
    assert "docker compose run --rm --no-deps web1 python manage.py restore" in steps
    assert "backups:/app/backups" in SERVICES["web1"]["volumes"]  # where the archive goes
    assert SERVICES["migrate"]["command"][-2:] == ["migrate", "--no-input"]  # runs after
    for service in ("db", "redis", "web1", "web2", "worker", "reminders"):
        assert service in SERVICES
