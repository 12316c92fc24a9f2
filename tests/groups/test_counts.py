"""Totals counted once per change (core/counts.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import Role
from tests.factories import MembershipFactory, UserFactory

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
