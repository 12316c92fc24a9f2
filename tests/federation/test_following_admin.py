"""admin → Following: who may open each page (role × URL), and the list's queries do not
grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.models import Following, FollowingState, RemoteActor
from tests.factories import MembershipFactory, UserFactory

ROLES = {"anonymous": 302, "member": 302, "staff": 403, "organizer": 200}
URLS = {
    "list": lambda row: "/admin/federation/following/",
    "add": lambda row: "/admin/federation/following/add/",
    "change": lambda row: f"/admin/federation/following/{row.pk}/change/",
    "delete": lambda row: f"/admin/federation/following/{row.pk}/delete/",
}


def _following(group, number: int) -> Following:
    remote = RemoteActor.objects.create(
        uri=f"https://social.example/users/u{number}",
        key_id=f"https://social.example/users/u{number}#main-key",
        public_key_pem="-",
        inbox=f"https://social.example/users/u{number}/inbox",
        domain="social.example",
    )
    return Following.objects.create(
        group=group,
        actor=remote,
        follow_id=f"https://potluck.example/f#follow-{number}",
        state=FollowingState.ACCEPTED if number % 2 else FollowingState.PENDING,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", URLS)
def test_following_admin_access(client, actor, organizer, role, name):
    row = _following(actor.group, 1)
    users = {
        "member": lambda: MembershipFactory(group=actor.group).user,
        "staff": lambda: UserFactory(is_staff=True),
        "organizer": lambda: organizer,
    }
    if role in users:
        client.force_login(users[role]())
    assert client.get(URLS[name](row)).status_code == ROLES[role]
    assert Following.objects.filter(pk=row.pk).exists()


def test_following_list_queries_do_not_grow(client, actor, organizer):
    client.force_login(organizer)
    _following(actor.group, 1)
    client.get("/admin/federation/following/")  # warm the session and caches
    counts = []
    for more in (0, 5):
        for number in range(2, 2 + more):
            _following(actor.group, number)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/admin/federation/following/")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts == [10, 10]  # session, user, permissions, counts, the page's rows
