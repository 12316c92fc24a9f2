"""How `pytest -n auto --dist loadfile` hands out the test files (tests/conftest.py installs it).

pytest-xdist's loadfile keeps each file on one worker and, by default, hands the files out by
their number of tests, most first: the Lighthouse run (one test, over two minutes) and the
full-scale drills (one test, a minute or more) went last and ran alone while the other worker
had finished. Here the long ones go first, so the many short files fill in around them.

tests/production is one unit: its production fixture (a migrated template database, then two
gunicorn servers and a worker per cache) is session-scoped, so each worker that ran one of its
files built all of it again.
"""

from xdist.scheduler import LoadFileScheduling

# Units that take a minute or more on a 2-core machine, longest first (`make test` prints the
# slowest tests; a file that joins them belongs here).
LONG = [
    "tests/production/",
    "tests/config/test_lighthouse.py",
    "tests/events/test_notifications_worker.py",
    "tests/core/test_backup_restore.py",
    "tests/home/test_every_page_bilingual_browser.py",
    "tests/events/test_rsvp_race.py",
    "tests/decisions/test_ballot_race.py",
]


class LongFirstFileScheduling(LoadFileScheduling):
    """loadfile with tests/production as one unit and the LONG units handed out first, then
    the others by their number of tests, most first (xdist's own order)."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        path = super()._split_scope(nodeid)
        return "tests/production/" if path.startswith("tests/production/") else path

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:  # the queue is complete when the first unit is handed out
            self._ordered = True
            units = sorted(self.workqueue.items(), key=_rank)
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)


def _rank(unit: tuple[str, dict[str, bool]]) -> tuple[int, int]:
    scope, tests = unit
    return (LONG.index(scope) if scope in LONG else len(LONG), -len(tests))
