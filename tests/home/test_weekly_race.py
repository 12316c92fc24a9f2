"""Two copies of send_reminders at the same moment, on PostgreSQL: one weekly email each."""

from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from core.models import Email, EmailState
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


def _send_reminders():
    call_command("send_reminders", stdout=StringIO())


def test_two_send_reminders_at_once_send_one_weekly_each(group):
    readers = [
        MembershipFactory(group=group, user=UserFactory(notify_weekly=True)).user for _ in range(12)
    ]
    ThreadFactory(title="Who brings bread?")
    for _round in range(3):  # the same week: the later rounds find every week recorded
        assert run_together([_send_reminders, _send_reminders]) == []
    rows = Email.objects.filter(kind=weekly.WEEKLY)
    assert Counter(rows.values_list("recipient_id", flat=True)) == Counter(
        {reader.pk: 1 for reader in readers}
    )
    assert set(rows.values_list("state", flat=True)) == {EmailState.SENT}
    assert sorted(m.to[0] for m in mail.outbox if "this week" in m.subject) == sorted(
        reader.email for reader in readers
    )
    assert WeeklyEmail.objects.filter(emailed=True).count() == len(readers)
