"""Checks the transparency log's hash chain (groups.logchain), group by group."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Q

from groups.logchain import HASHED_FIELDS, REFERENCES, chain_first_break
from groups.models import Group, LogEntry


class Command(BaseCommand):
    help = (
        "Checks that every entry of each group's transparency log carries the hash of the entry "
        "before it and a hash of its own content (who acted, on whom and who confirmed "
        "included), and that a reference to an account was emptied only by the account's "
        "deletion. Names the first broken entry and exits with status 1 when an entry was "
        "changed or removed."
    )

    def handle(self, *args, **options):
        broken = []
        for group in Group.objects.order_by("pk"):
            entries = (
                LogEntry.objects.filter(group=group)
                .order_by("pk")
                .only("id", "hash", "prev_hash", *HASHED_FIELDS, *(r for r, _h in REFERENCES))
            )
            count = entries.count()
            found = chain_first_break(entries.iterator()) or _emptied(group)
            if found is None:
                self.stdout.write(f"{group.slug}: {count} entries, the chain holds.")
            else:
                entry, why = found
                broken.append(f"{group.slug}: entry {entry.pk} is the first broken one ({why}).")
        if broken:
            raise CommandError("\n".join(broken))


def _emptied(group):
    """The first entry whose reference to an account was emptied while the account exists:
    only an account's deletion empties one (groups.models.LogEntry)."""
    users = get_user_model().objects
    for reference, hashed in REFERENCES:
        field = reference.removesuffix("_id")
        entry = (
            LogEntry.objects.filter(group=group, **{f"{field}__isnull": True})
            .filter(~Q(**{f"{hashed}__isnull": True}))
            .filter(Exists(users.filter(pk=OuterRef(hashed))))
            .order_by("pk")
            .first()
        )
        if entry is not None:
            return entry, f"{field} was emptied, yet the account exists"
    return None
