"""The restore drill: back a populated site up, restore it into a fresh database and an empty
media folder, and every page, feed and image answers byte for byte what the original did.

Both sites are served by child processes started the same way (same settings, DEBUG on, no
shared Redis, so nothing is answered from the other site's cache) and fetched with Django's
test client as an anonymous visitor, a member and an organizer. The only difference allowed is
the CSRF token value in forms, which is random per request and is replaced by "CSRF" before
comparing.
"""

import base64
import difflib
import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import secret_key_fingerprint
from tests.core import backup_drill

BASE_DIR = Path(settings.BASE_DIR)


def _env(database_url: str, media_root: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "POTLUCK_MEDIA_ROOT": str(media_root),
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "POTLUCK_TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # each site's cache is its own process's memory
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _fetch(env: dict[str, str], out: Path) -> dict:
    _run(["-m", "tests.core.backup_drill", "fetch", str(out)], env)
    return json.loads(out.read_text())


def _differences(original: dict, restored: dict) -> list[str]:
    problems = []
    for viewer in original:
        if list(original[viewer]) != list(restored[viewer]):
            problems.append(f"{viewer}: the restored site has other pages to fetch")
        for path, before in original[viewer].items():
            after = restored[viewer].get(path)
            if after == before:
                continue
            problem = f"{viewer} {path}: {before['status']} → {after and after['status']}"
            if after and before["type"].startswith("text/") and before["status"] == 200:
                old = base64.b64decode(before["body"]).decode().splitlines()
                new = base64.b64decode(after["body"]).decode().splitlines()
                problem += "\n" + "\n".join(list(difflib.unified_diff(old, new, lineterm=""))[:20])
            problems.append(problem)
    return problems


def _check_coverage(fetched: dict) -> None:
    """The drill compares real content: images and avatars are there, not 404 on both sides."""
    organizer = fetched["organizer"]
    files = {path: r for path, r in organizer.items() if path.startswith("/photos/f/")}
    assert len(files) == 4 * len(backup_drill.PHOTO_FILES)
    assert {r["status"] for r in files.values()} == {200}
    avatars = [r for path, r in organizer.items() if path.endswith("/avatar.jpg")]
    assert [r["status"] for r in avatars] == [200, 200]
    assert organizer["/me/"]["status"] == 200
    personal = [r for path, r in fetched["member"].items() if path.startswith("/calendar/")]
    # The full history, the subscribe page and the personal feed.
    assert [r["status"] for r in personal] == [200, 200, 200]
    ok = sum(r["status"] == 200 for viewer in fetched.values() for r in viewer.values())
    assert ok > 100


def _report(capsys, vendor, archive: Path, backup_s, restore_s, restore_output: str, pages):
    """Prints the drill's numbers even without -s: archive size and how long each step took."""
    own = re.search(r" in ([0-9.]+) s\.", restore_output)
    with capsys.disabled():
        print(
            f"\nrestore drill ({vendor}): archive {archive.stat().st_size / 1024:.0f} KiB, "
            f"backup {backup_s:.2f} s, restore {own.group(1) if own else '?'} s "
            f"({restore_s:.2f} s with the child process starting Django), "
            f"{pages} responses identical"
        )


# --- PostgreSQL: back up the test database in-process, restore into a new database -------------


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{name}"


@contextmanager
def _fresh_postgres_database():
    """A new, empty database on the same server, dropped whatever happens."""
    import psycopg
    from psycopg import sql

    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    admin = _postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_drill_postgresql_every_response_identical(settings, tmp_path, capsys):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the PostgreSQL restore drill needs PostgreSQL (set DATABASE_URL, as .ci/run does); "
            "the SQLite drill runs instead"
        )
    settings.MEDIA_ROOT = tmp_path / "media-original"
    settings.MEDIA_ROOT.mkdir()
    backup_drill.populate()

    started = time.perf_counter()
    call_command("backup", output_dir=tmp_path / "backups", verbosity=0)
    backup_s = time.perf_counter() - started
    [archive] = (tmp_path / "backups").iterdir()

    original_env = _env(_postgres_url(connection.settings_dict["NAME"]), settings.MEDIA_ROOT)
    original = _fetch(original_env, tmp_path / "original.json")
    with _fresh_postgres_database() as name:
        restored_env = _env(_postgres_url(name), tmp_path / "media-restored")
        started = time.perf_counter()
        restoring = _run(["manage.py", "restore", str(archive)], restored_env)
        restore_s = time.perf_counter() - started
        restored = _fetch(restored_env, tmp_path / "restored.json")
        # Restoring again over a site that is there is refused without --force.
        refused = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "restore", str(archive)],
            cwd=BASE_DIR,
            env=restored_env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 1
        assert "is not empty" in refused.stderr

    _check_coverage(original)
    assert _differences(original, restored) == []
    pages = sum(len(viewer) for viewer in original.values())
    _report(capsys, "PostgreSQL", archive, backup_s, restore_s, restoring.stdout, pages)


# --- SQLite: the same drill, every step in a child process on database files -------------------


@pytest.mark.drill
def test_restore_drill_sqlite_every_response_identical(tmp_path, capsys):
    original_env = _env(f"sqlite:///{tmp_path / 'original.sqlite3'}", tmp_path / "media-original")
    _run(["manage.py", "migrate", "--no-input", "-v0"], original_env)
    _run(["-m", "tests.core.backup_drill", "populate"], original_env)
    started = time.perf_counter()
    _run(["manage.py", "backup", "--output-dir", str(tmp_path / "backups")], original_env)
    backup_s = time.perf_counter() - started
    [archive] = (tmp_path / "backups").iterdir()
    original = _fetch(original_env, tmp_path / "original.json")

    restored_env = _env(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "media-restored")
    started = time.perf_counter()
    restoring = _run(["manage.py", "restore", str(archive)], restored_env)
    restore_s = time.perf_counter() - started
    restored = _fetch(restored_env, tmp_path / "restored.json")

    _check_coverage(original)
    assert _differences(original, restored) == []
    pages = sum(len(viewer) for viewer in original.values())
    _report(capsys, "SQLite", archive, backup_s, restore_s, restoring.stdout, pages)


# --- What restore refuses, and what it says ----------------------------------------------------


def _archive_with(path: Path, members: dict[str, bytes]) -> Path:
    import io

    with tarfile.open(path, "w") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


@pytest.mark.django_db
def test_restore_missing_archive_says_so(tmp_path):
    with pytest.raises(CommandError, match=r"no such file"):
        call_command("restore", str(tmp_path / "nothing.tar"))


@pytest.mark.django_db
def test_restore_not_an_archive_says_so(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file at all" * 40)
    with pytest.raises(CommandError, match=r"is not a readable archive"):
        call_command("restore", str(junk))


@pytest.mark.django_db
def test_restore_archive_without_metadata_says_so(tmp_path):
    archive = _archive_with(tmp_path / "other.tar", {"notes.txt": b"hello"})
    with pytest.raises(CommandError, match=r"has no metadata.json: it is not a complete"):
        call_command("restore", str(archive))


@pytest.mark.django_db
def test_restore_damaged_media_file_changes_nothing(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", output_dir=tmp_path, verbosity=0)
    [good] = tmp_path.glob("potluck-backup-*.tar")
    with tarfile.open(good) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = {"files": [{"name": "avatars/a.jpg", "size": 5, "sha256": "0" * 64}]}
    members["media-manifest.json"] = json.dumps(manifest).encode()
    members["media/avatars/a.jpg"] = b"12345"
    damaged = _archive_with(tmp_path / "damaged.tar", members)
    with pytest.raises(CommandError, match=r"media file avatars/a.jpg does not match"):
        call_command("restore", str(damaged), "--force")
    assert not (settings.MEDIA_ROOT / "avatars").exists()


@pytest.mark.django_db
def test_restore_check_warns_about_another_secret_key(tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", output_dir=tmp_path, verbosity=0)
    [archive] = tmp_path.glob("potluck-backup-*.tar")
    with tarfile.open(archive) as tar:
        metadata = json.load(tar.extractfile("metadata.json"))
    assert metadata["secret_key_fingerprint"] == secret_key_fingerprint()
    assert settings.SECRET_KEY not in json.dumps(metadata)

    settings.SECRET_KEY = "another-key-" + "x" * 50
    call_command("restore", str(archive), "--check")
    assert "DJANGO_SECRET_KEY differs" in capsys.readouterr().err


@pytest.mark.django_db
def test_restore_into_database_with_tables_refused_without_force(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", output_dir=tmp_path, verbosity=0)
    [archive] = tmp_path.glob("potluck-backup-*.tar")
    with pytest.raises(CommandError, match=r"is not empty .* pass --force"):
        call_command("restore", str(archive))


# --- What a backup leaves out, what it still holds, what a restore with other keys lifts ------


@pytest.mark.django_db(transaction=True)
def test_backup_leaves_out_sessions_and_names_the_secrets_it_holds(
    tmp_path, settings, client, capsys
):
    import sqlite3

    from django.contrib.sessions.models import Session

    from tests.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(UserFactory())
    assert Session.objects.count() == 1
    call_command("backup", output_dir=tmp_path)
    output = capsys.readouterr().out
    [archive] = tmp_path.glob("potluck-backup-*.tar")
    with tarfile.open(archive) as tar:
        metadata = json.load(tar.extractfile("metadata.json"))
        dump = metadata["database"]["file"]
        (tmp_path / dump).write_bytes(tar.extractfile(dump).read())
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(tmp_path / dump)
        try:
            assert copy.execute("SELECT COUNT(*) FROM django_session").fetchone() == (0,)
            assert copy.execute("SELECT COUNT(*) FROM members_user").fetchone() == (1,)
        finally:
            copy.close()
    else:  # pg_restore's table of contents: the table is there, its rows are not
        import shutil

        listing = subprocess.run(  # noqa: S603 - our own arguments
            [shutil.which("pg_restore"), "--list", str(tmp_path / dump)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert " TABLE public django_session " in listing
        assert " TABLE DATA public django_session " not in listing
        assert " TABLE DATA public members_user " in listing
    assert "django_session" in metadata["left_out"]
    for secret in ("password hashes", "TOTP keys", "calendar feed tokens"):
        assert any(secret in held for held in metadata["secrets_held"]), secret
        assert secret in output
    assert "Left out: potluck_cache, django_session" in output


@pytest.mark.django_db
def test_restore_with_another_secret_key_warns_that_bans_are_lifted(tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.POTLUCK_BAN_PEPPER = ""
    call_command("backup", output_dir=tmp_path, verbosity=0)
    [archive] = tmp_path.glob("potluck-backup-*.tar")

    settings.SECRET_KEY = "another-key-" + "x" * 50
    call_command("restore", str(archive), "--check")
    err = capsys.readouterr().err
    assert "DJANGO_SECRET_KEY differs" in err
    assert "bans of deleted accounts" in err
    assert "POTLUCK_BAN_PEPPER" in err


@pytest.mark.django_db
def test_restore_with_another_ban_pepper_warns_even_with_the_same_secret_key(
    tmp_path, settings, capsys
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.POTLUCK_BAN_PEPPER = "the-pepper-kept-with-the-backups"
    call_command("backup", output_dir=tmp_path, verbosity=0)
    [archive] = tmp_path.glob("potluck-backup-*.tar")

    settings.POTLUCK_BAN_PEPPER = "a-new-pepper"
    call_command("restore", str(archive), "--check")
    err = capsys.readouterr().err
    assert "DJANGO_SECRET_KEY differs" not in err
    assert "The ban pepper (POTLUCK_BAN_PEPPER" in err
    assert "bans of deleted accounts" in err

    settings.POTLUCK_BAN_PEPPER = "the-pepper-kept-with-the-backups"
    settings.SECRET_KEY = "another-key-" + "x" * 50
    call_command("restore", str(archive), "--check")
    err = capsys.readouterr().err
    assert "DJANGO_SECRET_KEY differs" in err
    assert "ban pepper" not in err
