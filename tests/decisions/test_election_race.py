"""An election's close noticed by several workers of the clock at the same moment, on
PostgreSQL: the roles are handed over once, each change logged once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from decisions import services
from decisions.models import Election
from groups.models import LogEntry, LogKind, Membership, Role
from tests.concurrency import run_together
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrency tests need PostgreSQL's row locks; SQLite locks the whole database "
            "(set DATABASE_URL, as .ci/run does)"
        )


def test_five_clocks_closing_at_once_hand_over_once(group, organizer):
    ana, ben = (
        MembershipFactory(group=group, user=UserFactory(display_name=n)).user
        for n in ("Ana", "Ben")
    )
    now = timezone.now()
    poll = services.election_open(
        group=group,
        by=organizer,
        role=Role.ORGANIZER,
        seats=1,
        candidates=[ana, ben],
        closes_at=now + timedelta(minutes=10),
        term_ends=now + timedelta(days=365),
    )
    ana_option = poll.options.get(label="Ana")
    for voter in (ana, ben, organizer):
        services.ballot_cast(poll=poll, member=voter, choices=[ana_option])
    noted = []
    errors = run_together(
        [lambda: noted.append(services.polls_close_due(now=now + timedelta(minutes=11)))] * 5
    )
    assert errors == []
    assert sorted(noted) == [0, 0, 0, 0, 1]
    roles = dict(Membership.objects.filter(group=group).values_list("user_id", "role"))
    assert (roles[ana.pk], roles[ben.pk], roles[organizer.pk]) == (
        Role.ORGANIZER,
        Role.MEMBER,
        Role.MEMBER,
    )
    assert LogEntry.objects.filter(kind=LogKind.ROLE_GRANTED, member=ana).count() == 1
    assert LogEntry.objects.filter(kind=LogKind.ROLE_REMOVED, member=organizer).count() == 1
    assert LogEntry.objects.filter(kind=LogKind.POLL_CLOSED).count() == 1
    assert Election.objects.get(poll=poll).applied_at is not None
