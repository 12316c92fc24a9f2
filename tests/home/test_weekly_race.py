"""Two copies of send_reminders at the same moment, on PostgreSQL: one weekly email each."""

from collections import Counter

import pytest
from django.db import connection

from core.models import Email
from home import weekly
from home.models import WeeklyEmail
from tests.concurrency import run_together
from tests.factories import MembershipFactory, ThreadFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrency tests need PostgreSQL's row locks; SQLite locks the whole database "
            "(set DATABASE_URL, as .ci/run does)"
        )


def test_two_runs_at_once_queue_one_weekly_each(group, settings):
    # The immediate task backend would send in the racing threads; the rows are what counts.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    readers = [
        MembershipFactory(group=group, user=UserFactory(notify_weekly=True)).user for _ in range(12)
    ]
    ThreadFactory(title="Who brings bread?")
    for _round in range(3):  # the same week: the later rounds find every week recorded
        errors = run_together([weekly.weeklies_send, weekly.weeklies_send])
        assert errors == []
    queued = Counter(
        Email.objects.filter(kind=weekly.WEEKLY).values_list("recipient_id", flat=True)
    )
    assert queued == Counter({reader.pk: 1 for reader in readers})
    assert WeeklyEmail.objects.filter(emailed=True).count() == len(readers)
