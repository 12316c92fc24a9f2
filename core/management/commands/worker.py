"""The task worker: django-tasks-db's db_worker, kept alive through a database restart.

db_worker exits on the first error that is not a locked SQLite database, so a PostgreSQL
restart stops it until someone restarts it by hand. This worker closes the broken
connection, waits (core.resilience.Backoff: 1 s, doubling, at most 30 s), logs, and goes on
claiming tasks once the database answers. A task that was running when the connection broke
keeps its RUNNING row (what it was doing decides what happens next: emails are kept in the
outbox, whose lease gives them to the next claim).

Run it under a supervisor all the same (deploy/potluck-worker.service, compose's
`restart: unless-stopped`): a kill -9 or an out-of-memory kill is not something a process
can survive.
"""

import logging

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from core.resilience import DATABASE_GONE, Backoff, wait_for_database

logger = logging.getLogger("potluck.worker")


class ResilientWorker(db_worker.Worker):
    """A Worker whose run() starts again after the database went away."""

    def run(self) -> None:
        backoff = Backoff()
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: done as asked
            except DATABASE_GONE as error:
                if not self.running:
                    return
                wait_for_database(error, backoff, logger=logger, who=f"worker {self.worker_id}")


class Command(db_worker.Command):
    help = (
        "Runs background tasks (emails, photo renditions) as db_worker does, and keeps "
        "running through a database restart. Run it under a supervisor (README)."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        """db_worker's handle, with ResilientWorker and without the autoreloader (a
        development convenience; `make run` runs tasks in the web process)."""
        if options.get("reload"):
            raise CommandError("worker does not reload; run db_worker --reload while developing")
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
