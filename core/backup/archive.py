"""Backup and restore of the database and the uploaded files, as one tar archive.

The archive (potluck-backup-YYYYmmdd-HHMMSS.tar) holds:

  database.pgdump       pg_dump --format=custom --no-owner --no-acl (PostgreSQL), or
  database.sqlite3      a consistent copy made with SQLite's backup API
  media/<name>          every file in Django's default storage (local folder or S3 bucket)
  media-manifest.json   each file's name, size and sha256
  metadata.json         format, Potluck version and commit, creation time, database vendor,
                        applied migrations, the dump's sha256, fingerprints of the secret
                        key and of the ban pepper (an HMAC of a fixed string, never a key
                        itself), what it leaves out and the secrets it still holds

Sessions, the cache and allauth's emailed confirmation keys are left out (TABLES_WITHOUT_DATA);
the archive still holds secrets (SECRETS_HELD), so keep it as private as the database.

Restore checks the whole archive before it changes anything, restores the database in one
transaction, and writes the files only after the database restore has succeeded.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.utils import validate_file_name
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .database import (
    DUMP_NAMES,
    TABLES_WITHOUT_DATA,
    BackupError,
    _applied_migrations,
    _dump_database,
    _migrations_to_apply,
    _restore_database,
    _unknown_migrations,
    _vendor,
)

FORMAT = "potluck-backup/1"


METADATA = "metadata.json"


MANIFEST = "media-manifest.json"


MEDIA_PREFIX = "media/"


FINGERPRINT_SALT = "potluck.backup.secret-key-fingerprint"


# What a backup still holds that would let someone in, or link a person to their data: said
# in metadata.json, by the backup command and in README.md.
SECRETS_HELD = [
    "password hashes of every account",
    "two-factor secrets: TOTP keys, recovery codes and passkey public keys",
    "personal calendar feed tokens (each one reads a member's calendar)",
    "members' email addresses, and the keyed hashes of banned addresses",
    "every uploaded photo and avatar",
]


CHUNK = 1024 * 1024


@dataclass
class BackupResult:
    path: Path
    size: int
    media_files: int
    media_bytes: int
    seconds: float


@dataclass
class RestoreResult:
    metadata: dict
    media_files: int
    media_bytes: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def secret_key_fingerprint(key: str | None = None) -> str:
    """Tells two secret keys apart without revealing either."""
    secret = settings.SECRET_KEY if key is None else key
    return salted_hmac(FINGERPRINT_SALT, "potluck", secret=secret, algorithm="sha256").hexdigest()[
        :32
    ]


def ban_pepper_fingerprint() -> str:
    """Tells two ban peppers (POTLUCK_BAN_PEPPER, or SECRET_KEY without it) apart."""
    return secret_key_fingerprint(settings.POTLUCK_BAN_PEPPER or settings.SECRET_KEY)


def backup_create(*, directory: Path, log: Callable[[str], None] = lambda _m: None) -> BackupResult:
    """Writes one archive into directory; a half-written archive never carries the final name."""
    started = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    now = timezone.now()
    final = directory / f"potluck-backup-{now:%Y%m%d-%H%M%S}.tar"
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and run backup again.")
    partial = directory / f".{final.name}.partial"
    with tempfile.TemporaryDirectory(prefix="potluck-backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        log(f"Dumping the {vendor} database…")
        _dump_database(vendor, dump)
        dump_sha256 = _sha256_file(dump)
        storage = default_storage
        manifest: list[dict] = []
        # Files are read after the dump: a photo's file is stored before its row commits, so
        # every file the dump refers to is already there.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
                tar.add(dump, arcname=dump.name, filter=_anonymous)
                log("Copying the media files…")
                for name in _storage_files(storage):
                    manifest.append(_add_stored_file(tar, storage, name, mtime=now.timestamp()))
                metadata = {
                    "format": FORMAT,
                    "potluck_version": _version(),
                    "commit": _commit(),
                    "created_at": now.isoformat(),
                    "database": {
                        "vendor": vendor,
                        "file": dump.name,
                        "size": dump.stat().st_size,
                        "sha256": dump_sha256,
                    },
                    "migrations": _applied_migrations(),
                    "secret_key_fingerprint": secret_key_fingerprint(),
                    "ban_pepper_fingerprint": ban_pepper_fingerprint(),
                    "left_out": list(TABLES_WITHOUT_DATA),
                    "secrets_held": SECRETS_HELD,
                    "media": {
                        "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
                        "files": len(manifest),
                        "bytes": sum(entry["size"] for entry in manifest),
                    },
                }
                _add_json(tar, MANIFEST, {"files": manifest}, mtime=now.timestamp())
                _add_json(tar, METADATA, metadata, mtime=now.timestamp())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(
        path=final,
        size=final.stat().st_size,
        media_files=len(manifest),
        media_bytes=sum(entry["size"] for entry in manifest),
        seconds=time.perf_counter() - started,
    )


def backup_restore(
    *,
    archive: Path,
    force: bool = False,
    check_only: bool = False,
    log: Callable[[str], None] = lambda _m: None,
) -> RestoreResult:
    """Restores archive into the configured database and storage, checking everything first."""
    started = time.perf_counter()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file.")
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            return _restore(tar, archive, force=force, check_only=check_only, log=log, t0=started)
    except tarfile.ReadError as error:
        reason = str(error).splitlines()[0].rstrip(":")
        raise BackupError(
            f"{archive} is not a readable archive ({reason}). Is it a Potluck backup, and was "
            "it copied completely?"
        ) from None
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(
            f"{archive} is damaged ({type(error).__name__}: {error}). Nothing was changed "
            "unless a message above says the database was restored."
        ) from None


def _restore(tar, archive, *, force, check_only, log, t0) -> RestoreResult:
    metadata = _read_json(tar, METADATA, archive)
    if metadata.get("format") != FORMAT:
        raise BackupError(
            f"{archive} has format {metadata.get('format')!r}; this Potluck reads {FORMAT!r}."
        )
    entries = _read_json(tar, MANIFEST, archive).get("files", [])
    vendor = _vendor()
    database = metadata["database"]
    if database["vendor"] != vendor:
        raise BackupError(
            f"The archive holds a {database['vendor']} database, but DATABASE_URL points at "
            f"{vendor}. Restore into the same kind of database."
        )
    unknown = _unknown_migrations(metadata["migrations"])
    if unknown:
        raise BackupError(
            "The archive was made by a newer Potluck: these migrations are not in this code: "
            f"{', '.join(unknown[:10])}. Install the version recorded in the archive "
            f"(commit {metadata.get('commit') or 'unknown'}) or newer, then restore."
        )

    # 1. Check every byte against the archive's own record before anything changes.
    log(f"Checking {archive.name} (made {metadata['created_at']})…")
    dump_member = _member(tar, database["file"], archive)
    digest, size = _sha256_stream(tar.extractfile(dump_member))
    if (digest, size) != (database["sha256"], database["size"]):
        raise BackupError(f"{archive}: the database dump does not match its checksum.")
    for entry in entries:
        _check_name(entry["name"], archive)
        digest, size = _sha256_stream(tar.extractfile(_member(tar, _arcname(entry), archive)))
        if (digest, size) != (entry["sha256"], entry["size"]):
            raise BackupError(
                f"{archive}: media file {entry['name']} does not match its checksum "
                f"(sha256 {digest}, expected {entry['sha256']})."
            )
    media_bytes = sum(entry["size"] for entry in entries)
    log(f"Archive is complete: database dump and {len(entries)} media files match the manifest.")
    warnings = _secret_key_warnings(metadata)
    if check_only:
        return RestoreResult(
            metadata, len(entries), media_bytes, time.perf_counter() - t0, warnings
        )

    # 2. Refuse to overwrite anything unless told to.
    storage = default_storage
    tables = connection.introspection.table_names()
    if tables and not force:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
            "tables). Restore into a new, empty database (do not run migrate first), or pass "
            "--force to replace everything in it."
        )
    different = [entry["name"] for entry in entries if _stored_differs(storage, entry)]
    conflicting = [name for name in different if storage.exists(name)]
    if conflicting and not force:
        raise BackupError(
            f"{len(conflicting)} media files already exist with other content (e.g. "
            f"{conflicting[0]}). Restore into an empty storage, or pass --force to replace them."
        )

    # 3. The database, in one transaction.
    log(f"Restoring the {vendor} database{' (replacing its content)' if tables else ''}…")
    with tempfile.TemporaryDirectory(prefix="potluck-restore-") as work:
        dump = Path(work) / database["file"]
        with tar.extractfile(dump_member) as source, dump.open("wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        _restore_database(vendor, dump, replace=bool(tables))
    log("Database restored.")

    # 4. The files, only now that the database is back.
    log(f"Writing {len(different)} media files ({len(entries) - len(different)} already there)…")
    written = 0
    try:
        for entry in entries:
            if entry["name"] not in different:
                continue
            if storage.exists(entry["name"]):
                storage.delete(entry["name"])
            with tar.extractfile(_member(tar, _arcname(entry), archive)) as source:
                saved = storage.save(entry["name"], File(source, name=entry["name"]))
            if saved != entry["name"]:
                raise BackupError(f"storage saved {entry['name']} as {saved}")
            with storage.open(saved, "rb") as stored:
                digest, _size = _sha256_stream(stored)
            if digest != entry["sha256"]:
                raise BackupError(f"{saved} reads back with sha256 {digest}")
            written += 1
    except Exception as error:
        raise BackupError(
            f"The database was restored, but writing the media files failed after {written} of "
            f"{len(different)}: {error}. Fix the storage and run restore again with --force "
            "(files already written are skipped)."
        ) from error

    missing = _migrations_to_apply(metadata["migrations"])
    if missing:
        warnings.append(
            f"This code has {len(missing)} migrations the backup predates; run "
            "`python manage.py migrate` before starting Potluck."
        )
    return RestoreResult(metadata, len(entries), media_bytes, time.perf_counter() - t0, warnings)


# --- The files ---------------------------------------------------------------------------------


def _storage_files(storage, path: str = "") -> Iterator[str]:
    """Every file in the storage, through its own API (a folder on disk or a bucket)."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from _storage_files(storage, f"{path}/{directory}" if path else directory)


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_stored_file(tar: tarfile.TarFile, storage, name: str, *, mtime: float) -> dict:
    """Copies one stored file into the archive, hashing it on the way."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source, tempfile.SpooledTemporaryFile(16 * CHUNK) as spool:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
        size = spool.tell()
        spool.seek(0)
        info = tarfile.TarInfo(MEDIA_PREFIX + name)
        info.size, info.mtime, info.mode = size, int(mtime), 0o600
        tar.addfile(info, spool)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _stored_differs(storage, entry: dict) -> bool:
    if not storage.exists(entry["name"]):
        return True
    with storage.open(entry["name"], "rb") as stored:
        return _sha256_stream(stored) != (entry["sha256"], entry["size"])


def _check_name(name: str, archive: Path) -> None:
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousFileOperation:
        raise BackupError(f"{archive}: refusing the media file name {name!r}.") from None


def _arcname(entry: dict) -> str:
    return MEDIA_PREFIX + entry["name"]


# --- Small helpers -----------------------------------------------------------------------------


def _member(tar: tarfile.TarFile, name: str, archive: Path) -> tarfile.TarInfo:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(
            f"{archive} has no {name}: it is not a complete Potluck backup."
        ) from None
    if not member.isfile():
        raise BackupError(f"{archive}: {name} is not a file.")
    return member


def _read_json(tar: tarfile.TarFile, name: str, archive: Path) -> dict:
    try:
        return json.load(tar.extractfile(_member(tar, name, archive)))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{archive}: {name} is not valid JSON.") from None


def _add_json(tar: tarfile.TarFile, name: str, data: dict, *, mtime: float) -> None:
    body = json.dumps(data, indent=2, sort_keys=True).encode()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(body), int(mtime), 0o600
    with tempfile.SpooledTemporaryFile() as spool:
        spool.write(body)
        spool.seek(0)
        tar.addfile(info, spool)


def _sha256_stream(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _sha256_file(path: Path) -> str:
    with path.open("rb") as stream:
        return _sha256_stream(stream)[0]


def _version() -> str | None:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as project:
            return tomllib.load(project)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def _commit() -> str | None:
    """The deployed commit: POTLUCK_COMMIT if the image sets it, else git's, else unknown."""
    if os.environ.get("POTLUCK_COMMIT"):
        return os.environ["POTLUCK_COMMIT"]
    git = shutil.which("git")
    if git is None:
        return None
    result = subprocess.run(  # noqa: S603
        [git, "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None if result.returncode == 0 else None


def _secret_key_warnings(metadata: dict) -> list[str]:
    warnings = []
    recorded = metadata.get("secret_key_fingerprint")
    fallbacks = getattr(settings, "SECRET_KEY_FALLBACKS", [])
    if not recorded or recorded == secret_key_fingerprint():
        pass
    elif any(recorded == secret_key_fingerprint(key) for key in fallbacks):
        warnings.append(
            "The backup was made with a secret key that is now in SECRET_KEY_FALLBACKS: links "
            "signed with it keep working while it stays there."
        )
    else:
        warnings.append(
            "DJANGO_SECRET_KEY differs from the one the backup was made with. Everyone is "
            'logged out, password-reset links and the unsubscribe and "can\'t make it" links '
            "in emails already sent stop working. Set DJANGO_SECRET_KEY to the key kept with "
            "the backup unless you mean to rotate it."
        )
    pepper = metadata.get("ban_pepper_fingerprint")
    if pepper is None and recorded and not settings.POTLUCK_BAN_PEPPER:
        pepper = recorded  # an older backup: its pepper was its secret key, unless it had one
    if pepper and pepper != ban_pepper_fingerprint():
        warnings.append(
            "The ban pepper (POTLUCK_BAN_PEPPER, or DJANGO_SECRET_KEY where it is unset) differs "
            "from the one the backup was made with: the bans of deleted accounts, kept only as "
            "keyed hashes of their addresses, are lifted, and those people can sign up and join "
            "again. Set POTLUCK_BAN_PEPPER (or DJANGO_SECRET_KEY) to the one kept with the "
            "backup."
        )
    return warnings
