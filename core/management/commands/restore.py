from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restores a backup archive into the configured (empty) database and media storage, "
        "after checking every file in it against its checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="A potluck-backup-….tar file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the content of a database (and media files) that are not empty.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that the archive is complete and undamaged; change nothing.",
        )

    def handle(self, *args, archive, force, check, **options):
        def log(message):
            if options["verbosity"] >= 1:
                self.stdout.write(message)

        try:
            result = backup_restore(archive=archive, force=force, check_only=check, log=log)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        meta = result.metadata
        summary = (
            f"backup of {meta['created_at']} (Potluck {meta.get('potluck_version') or '?'}, "
            f"commit {(meta.get('commit') or 'unknown')[:12]}): database and "
            f"{result.media_files} media files ({result.media_bytes / 1e6:.1f} MB)"
        )
        if check:
            self.stdout.write(self.style.SUCCESS(f"Archive OK: {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Restored {summary} in {result.seconds:.1f} s."))
