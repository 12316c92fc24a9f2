"""The home page's recent photos are read newest first from photos_recent_idx: the LIMIT stops
after a few rows instead of sorting every published photo (the index's definition is checked
in tests/photos/test_list_indexes.py)."""

import pytest

from photos.models import Album, Photo, PhotoStatus
from tests.factories import MembershipFactory
from tests.queryplans import analyze, node_types, page_query, plan_nodes, require_postgres, scans

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_home_reads_recent_photos_newest_first_from_the_index(client, group):
    require_postgres()
    albums = Album.objects.bulk_create(Album(group=group, title=f"Album {i}") for i in range(4))
    Photo.objects.bulk_create(
        Photo(
            album=albums[i % 4],
            image=f"photos/{i}.jpg",
            grid_jpeg=f"g{i}.jpg",
            status=PhotoStatus.PUBLISHED if i % 10 else PhotoStatus.HIDDEN,
        )
        for i in range(300)
    )
    analyze(Photo, Album)
    client.force_login(MembershipFactory(group=group).user)
    sql = page_query(client, "/", 'ORDER BY "photos_photo"."uploaded_at" DESC')
    nodes = plan_nodes(sql)
    assert ("Index Scan", "photos_recent_idx") in scans(nodes)
    assert not node_types(nodes) & {"Sort", "Incremental Sort"}


@pytest.mark.postgres
def test_home_reads_the_organizers_in_order_from_their_index(client, group):
    from groups.models import Membership, Role
    from members.models import User

    require_postgres()
    people = User.objects.bulk_create(
        User(email=f"p{i}@example.org", display_name=f"Person {i}") for i in range(5000)
    )
    Membership.objects.bulk_create(
        Membership(group=group, user=person, role=Role.ORGANIZER if i % 1000 == 0 else Role.MEMBER)
        for i, person in enumerate(people)
    )
    analyze(Membership)
    client.force_login(people[1])
    sql = page_query(client, "/", '"groups_membership"."role" IN')
    nodes = plan_nodes(sql)
    assert any(name == "groups_organizers_idx" for _kind, name in scans(nodes))
    assert not node_types(nodes) & {"Sort", "Incremental Sort"}
