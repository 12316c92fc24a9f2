from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from groups.access import viewer_for
from groups.models import Group, Membership
from photos.importing import photos_import


class Command(BaseCommand):
    help = (
        "Adds past events' photos from a folder or a ZIP: one folder per event, named by the "
        "Meetup event id, the event's slug or its date (YYYY-MM-DD). Every photo goes through "
        "the upload pipeline (the task worker decodes it and strips its metadata)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a folder or a .zip file")
        parser.add_argument(
            "--by", help="the email of the organizer the photos are added as (default: the first)"
        )

    def handle(self, *args, source, by, **options):
        group = Group.objects.current()
        if group is None:
            raise CommandError("There is no group yet: create it (or run seed_demo) first.")
        user = self._organizer(group, by)
        try:
            result = photos_import(source=source, group=group, by=user)
        except ValidationError as error:
            raise CommandError(f"Nothing was imported. {' '.join(error.messages)}") from error
        for line in result.skipped:
            self.stdout.write(f"skipped {line}")
        for line in result.refused:
            self.stdout.write(f"refused {line}")
        counts = f"{len(result.skipped)} skipped, {len(result.refused)} refused"
        self.stdout.write(self.style.SUCCESS(f"{result.added} added, {counts}"))
        for album_id, photo_ids in result.undescribed.items():
            url = reverse("photos:describe", args=[album_id])
            self.stdout.write(
                f"{len(photo_ids)} photos need a description (alt text): "
                f"{url}?photos={','.join(map(str, photo_ids))}"
            )

    def _organizer(self, group, email):
        if email:
            user = get_user_model().objects.filter(email__iexact=email).first()
            if user is None or not viewer_for(user, group).is_organizer:
                raise CommandError(f"{email} is not an organizer of the group.")
            return user
        membership = (
            Membership.objects.filter(group=group).organizers().order_by("joined_at", "pk").first()
        )
        if membership is None:
            raise CommandError("The group has no organizer to add the photos as; pass --by.")
        return membership.user
