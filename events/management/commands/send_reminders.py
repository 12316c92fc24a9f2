import logging
import time

from django.core.management.base import BaseCommand

from core.hooks import periodic
from core.resilience import DATABASE_GONE, Backoff, wait_for_database
from events.services import no_show_notes_send, reminders_send
from groups.models import Group

logger = logging.getLogger("potluck.reminders")


class Command(BaseCommand):
    help = (
        "Queues the reminder emails that are due, the no-show notes if the group sends "
        "them, scheduled announcements and daily digests (run it every few minutes, or "
        "with --every to keep running). Safe to run twice at once: each reminder goes out "
        "exactly once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, once every SECONDS; a database restart is waited out.",
        )

    def handle(self, *args, every=None, **options):
        if every is None:
            self.run_once()
            return
        backoff = Backoff()
        while True:
            try:
                self.run_once()
            except DATABASE_GONE as error:
                wait_for_database(error, backoff, logger=logger, who="send_reminders")
                continue
            time.sleep(every)

    def run_once(self) -> None:
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
