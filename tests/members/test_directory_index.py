"""The members directory reads members_user_name_ci_idx in its order, so a page costs about
the same with 40 members or 10,000 (no sort of every membership for each page)."""

import pytest
from django.db import connection

from groups.models import Membership
from members.models import User
from tests.factories import MembershipFactory, UserFactory
from tests.queryplans import (
    analyze,
    index_definition,
    node_types,
    page_query,
    plan_nodes,
    require_postgres,
    scans,
)

pytestmark = pytest.mark.django_db

DEFINITIONS = {
    "postgresql": (
        "CREATE INDEX members_user_name_ci_idx ON public.members_user "
        "USING btree (lower((display_name)::text), id)"
    ),
    "sqlite": (
        'CREATE INDEX "members_user_name_ci_idx" ON "members_user" ((LOWER("display_name")), "id")'
    ),
}


def test_directory_name_index_is_defined():
    assert index_definition("members_user_name_ci_idx") == DEFINITIONS[connection.vendor]


def test_directory_orders_names_ignoring_case_then_by_person(client, group):
    viewer = MembershipFactory(group=group, user=UserFactory(display_name="Viewer")).user
    names = ["bea", "Ada", "ADA", "carl", "Bea"]
    people = [MembershipFactory(group=group, user=UserFactory(display_name=n)).user for n in names]
    client.force_login(viewer)
    listed = [m.user for m in client.get("/members/").context["memberships"]]
    by_pk = sorted(people, key=lambda person: person.pk)
    expected = [*sorted(by_pk, key=lambda person: person.display_name.lower()), viewer]
    assert listed == expected


@pytest.mark.postgres
def test_directory_page_reads_the_name_index_without_sorting(client, group):
    require_postgres()
    users = User.objects.bulk_create(
        User(email=f"m{i}@example.org", display_name=f"{'AbCd'[i % 4]}name {i * 7919 % 1000}")
        for i in range(600)
    )
    Membership.objects.bulk_create(Membership(group=group, user=user) for user in users)
    viewer = MembershipFactory(group=group).user
    analyze(User, Membership)
    client.force_login(viewer)
    for url in ("/members/", "/members/?page=3"):
        nodes = plan_nodes(page_query(client, url, 'ORDER BY LOWER("members_user"."display_name")'))
        assert ("Index Scan", "members_user_name_ci_idx") in scans(nodes)
        assert not node_types(nodes) & {"Sort", "Incremental Sort"}
