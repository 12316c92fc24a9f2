"""Live results only from 5 ballots on: before that, a member reading an open poll's page
learns nothing from one more vote. In its own module, with its own group and poll, apart from
the rows tests/decisions/test_secrecy.py builds once for all its tests."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from decisions import services
from tests.decisions.test_secrecy import APPLE, BANANA, NOW, RESULTS_TABLE, _changed, _read
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WAIT = "Results appear once 5 ballots are in."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_below_five_ballots_one_vote_cannot_be_read_from_live_results(group, organizer):
    """With results while open, a member reading the poll page before and after each of the
    first four votes reads the same page: no count, no table. The fifth shows them."""
    voters = [MembershipFactory(group=group).user for _ in range(5)]
    watcher = MembershipFactory(group=group).user
    poll = services.poll_open(
        group=group,
        by=organizer,
        question="Which dessert?",
        options=[APPLE, BANANA],
        method="single",
        opens_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(days=2),
        results_while_open=True,
    )
    options = list(poll.options.all())
    client = Client()
    client.force_login(watcher)
    pages = [_read(client, poll.get_absolute_url())]
    for number, voter in enumerate(voters[:4]):
        services.ballot_cast(poll=poll, member=voter, choices=[options[number % 2]])
        _changed()
        pages.append(_read(client, poll.get_absolute_url()))
        assert services.poll_results_shown(poll=poll) is None
    assert len(set(pages)) == 1
    assert (
        WAIT in pages[0]
        and RESULTS_TABLE not in pages[0]
        and "ballot" not in pages[0].split(WAIT)[1].split("</p>")[0]
    )
    services.ballot_cast(poll=poll, member=voters[4], choices=[options[0]])
    _changed()
    page = _read(client, poll.get_absolute_url())
    assert WAIT not in page and RESULTS_TABLE in page and "5 ballots." in page
    assert f"{APPLE} wins." in page  # 3 to 2, counted by hand
