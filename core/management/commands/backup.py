from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import SECRETS_HELD, TABLES_WITHOUT_DATA, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Writes one archive with the database and every uploaded file (see README.md, "
        '"Backup and restore"). Keep DJANGO_SECRET_KEY with it.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=".",
            type=Path,
            help="Folder for potluck-backup-YYYYmmdd-HHMMSS.tar (default: the current folder).",
        )

    def handle(self, *args, output_dir, **options):
        log = self.stdout.write if options["verbosity"] >= 2 else (lambda _message: None)
        try:
            result = backup_create(directory=output_dir, log=log)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Backup written: {result.path}")
                + f" ({result.size / 1e6:.1f} MB; {result.media_files} media files, "
                f"{result.media_bytes / 1e6:.1f} MB; {result.seconds:.1f} s)"
            )
            self.stdout.write(
                f"Left out: {', '.join(TABLES_WITHOUT_DATA)} (sessions: restoring signs "
                "everyone out).\nThe archive still holds secrets; keep it as private as the "
                "database:\n" + "".join(f"  - {secret}\n" for secret in SECRETS_HELD)
            )
