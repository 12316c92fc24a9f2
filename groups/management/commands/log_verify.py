"""Checks the transparency log's hash chain (groups.logchain), group by group."""

from django.core.management.base import BaseCommand, CommandError

from groups.logchain import HASHED_FIELDS, chain_first_break
from groups.models import Group, LogEntry


class Command(BaseCommand):
    help = (
        "Checks that every entry of each group's transparency log carries the hash of the entry "
        "before it and a hash of its own content. Names the first broken entry and exits with "
        "status 1 when an entry was changed or removed."
    )

    def handle(self, *args, **options):
        broken = []
        for group in Group.objects.order_by("pk"):
            entries = (
                LogEntry.objects.filter(group=group)
                .order_by("pk")
                .only("id", "hash", "prev_hash", *HASHED_FIELDS)
            )
            count = entries.count()
            found = chain_first_break(entries.iterator())
            if found is None:
                self.stdout.write(f"{group.slug}: {count} entries, the chain holds.")
            else:
                entry, why = found
                broken.append(f"{group.slug}: entry {entry.pk} is the first broken one ({why}).")
        if broken:
            raise CommandError("\n".join(broken))
