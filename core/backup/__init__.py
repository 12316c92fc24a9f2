"""Backup and restore of the database and the uploaded files, as one tar archive."""

from .archive import (
    CHUNK,
    FINGERPRINT_SALT,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    METADATA,
    SECRETS_HELD,
    BackupResult,
    RestoreResult,
    backup_create,
    backup_restore,
    ban_pepper_fingerprint,
    secret_key_fingerprint,
)
from .database import (
    DUMP_NAMES,
    PG_ENV,
    PG_OPTION_ENV,
    TABLES_WITHOUT_DATA,
    BackupError,
)

__all__ = [
    "CHUNK",
    "DUMP_NAMES",
    "FINGERPRINT_SALT",
    "FORMAT",
    "MANIFEST",
    "MEDIA_PREFIX",
    "METADATA",
    "PG_ENV",
    "PG_OPTION_ENV",
    "SECRETS_HELD",
    "TABLES_WITHOUT_DATA",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_restore",
    "ban_pepper_fingerprint",
    "secret_key_fingerprint",
]
