from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from events.importer import events_import_ics, read_source
from groups.models import Group


class Command(BaseCommand):
    help = (
        "Imports events from an iCalendar file or URL (such as a meetup platform's group feed). "
        "Importing again updates events by UID instead of duplicating them."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a path to an .ics file, or an http(s) URL")

    def handle(self, *args, source, **options):
        group = Group.objects.current()
        if group is None:
            raise CommandError("There is no group yet: create it (or run seed_demo) first.")
        try:
            result = events_import_ics(data=read_source(source), group=group)
        except ValidationError as error:
            raise CommandError(f"Nothing was imported. {' '.join(error.messages)}") from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
