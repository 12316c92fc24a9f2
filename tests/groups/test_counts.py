"""Totals counted once per change (core/counts.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import Role
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _directory(client, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/members/", {"q": query} if query else {})
    assert response.status_code == 200
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    return response.context["paginator"].count, len(counts)


def test_the_directory_total_is_counted_once_per_change_and_per_search(client, group, member):
    for name in ("Ana Ruiz", "Ana Soto", "Bo Lee"):
        MembershipFactory(group=group, user=UserFactory(display_name=name), role=Role.MEMBER)
    client.force_login(member)
    assert _directory(client) == (4, 1)
    assert _directory(client) == (4, 0)  # the same total, not counted again
    assert _directory(client, "ana") == (2, 1)  # a search has a total of its own
    assert _directory(client, "ana") == (2, 0)
    MembershipFactory(group=group, user=UserFactory(display_name="Ana Diaz"), role=Role.MEMBER)
    assert _directory(client, "ana") == (3, 1)  # a change: counted afresh
    assert _directory(client) == (5, 1)


def _listing(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # The paginator's total (the page's rows count attendance with COUNT( subqueries).
    counts = [q["sql"] for q in captured if q["sql"].upper().startswith("SELECT COUNT(")]
    return response.context["paginator"].count, len(counts)


def test_the_event_lists_count_once_until_an_event_ends_by_the_clock(client, member, group):
    """Their SQL holds "now", so the total is kept under the list's name until the next
    moment an event changes by itself (request.page_expires), not once per request."""
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    EventFactory(starts_at=start - timedelta(days=9), ends_at=start - timedelta(days=9, hours=-2))
    client.force_login(member)  # signed in: the page is rendered, only the total is kept
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        assert _listing(client, "/events/") == (1, 1)
        assert _listing(client, "/events/past/") == (1, 1)
    with time_machine.travel(start - timedelta(minutes=4), tick=False):
        assert _listing(client, "/events/") == (1, 0)  # a minute later: not counted again
        assert _listing(client, "/events/past/") == (1, 0)
    with time_machine.travel(start + timedelta(hours=2, seconds=1), tick=False):
        assert _listing(client, "/events/") == (0, 1)  # it ended: counted afresh
        assert _listing(client, "/events/past/") == (2, 1)
