from django.core.management.base import BaseCommand

from core.hooks import periodic
from events.services import no_show_notes_send, reminders_send
from groups.models import Group


class Command(BaseCommand):
    help = (
        "Queues the reminder emails that are due, the no-show notes if the group sends "
        "them, scheduled announcements and daily digests (run it every few minutes). "
        "Safe to run twice at once: each reminder goes out exactly once."
    )

    def handle(self, *args, **options):
        total = 0
        while True:
            count = reminders_send()
            total += count
            if count == 0:
                break
        self.stdout.write(f"{total} reminders queued")
        # The group's optional gentle note to members with repeated no-shows (off by default).
        group = Group.objects.current()
        if group is not None and group.no_show_note_after:
            notes = no_show_notes_send(group=group, threshold=group.no_show_note_after)
            self.stdout.write(f"{notes} no-show notes queued")
        # What the apps above events registered (core.hooks.periodic).
        for job in periodic:
            self.stdout.write(job())
