"""Deleting the whole group is a superuser's deliberate act, never an admin button."""

from django.core.management.base import BaseCommand, CommandError

from groups.models import Group
from groups.services import group_delete


class Command(BaseCommand):
    help = (
        "Deletes the group with its events, RSVPs, albums and photos. Staff status of its "
        "organizers is recomputed. Asks for the group's slug as confirmation."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The group's slug, typed out as confirmation.")

    def handle(self, *args, slug, **options):
        group = Group.objects.filter(slug=slug).first()
        if group is None:
            raise CommandError(f"No group has the slug {slug!r}; nothing was deleted.")
        deleted = group_delete(group=group)
        self.stdout.write(self.style.SUCCESS(f"Deleted {group.name}: {deleted} rows."))
