from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events.importer import events_import_ics, events_import_preview, read_source
from groups.models import Group


class Command(BaseCommand):
    help = (
        "Imports events from an iCalendar file or URL (such as a Meetup group's feed, "
        "https://www.meetup.com/<group>/events/ical/). Importing again updates events by UID "
        "instead of duplicating them."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a path to an .ics file, or an http(s) URL")
        parser.add_argument(
            "--preview",
            action="store_true",
            help="list what would be created and updated, and change nothing",
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="also fetch from private or loopback addresses (refused by default)",
        )

    def handle(self, *args, source, preview, allow_private, **options):
        group = Group.objects.current()
        if group is None:
            raise CommandError("There is no group yet: create it (or run seed_demo) first.")
        try:
            data = read_source(source, allow_private=allow_private)
            if preview:
                for row in events_import_preview(data=data, group=group):
                    when = row.starts_at.astimezone(group.zone).strftime("%Y-%m-%d %H:%M")
                    changes = f" ({', '.join(row.changes)})" if row.changes else ""
                    self.stdout.write(f"{row.action}{changes}: {when} {row.title}")
                return
            result = events_import_ics(data=data, group=group)
        except ValidationError as error:
            raise CommandError(f"Nothing was imported. {' '.join(error.messages)}") from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
