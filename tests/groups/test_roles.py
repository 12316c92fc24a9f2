"""Roles are the single source of truth: staff status, admin groups and who may change what."""

import io

import pytest
from django.core.management import call_command

from core.models import Email
from groups.confirmations import action_confirm
from groups.models import Group, Membership, PendingAction, Role
from groups.permissions import organizers_group
from groups.services import membership_set_role
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.twofactor import give_totp

pytestmark = pytest.mark.django_db


def _staff(user) -> tuple[bool, bool]:
    user.refresh_from_db()
    return user.is_staff, user.groups.filter(pk=organizers_group().pk).exists()


@pytest.fixture
def co_organizer(group):
    user = MembershipFactory(group=group).user
    membership_set_role(membership=Membership.objects.get(user=user), role=Role.CO_ORGANIZER)
    give_totp(user)  # the admin opens only with a second factor
    return user


@pytest.fixture
def people(group, organizer, co_organizer):
    member = MembershipFactory(group=group).user
    host = MembershipFactory(group=group).user
    EventFactory(group=group).hosts.add(host)
    return {
        "member": member,
        "host": host,
        "co_organizer": co_organizer,
        "organizer": organizer,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }


def _change(membership, **fields):
    data = {"group": membership.group_id, "user": membership.user_id, "role": membership.role}
    return {**data, **fields}


def test_moving_an_organizers_membership_moves_staff_status(client, group, organizer, people):
    client.force_login(organizer)
    co = Membership.objects.get(user=people["co_organizer"])
    newcomer = UserFactory()
    response = client.post(
        f"/admin/groups/membership/{co.pk}/change/", _change(co, user=newcomer.pk)
    )
    assert response.status_code == 302
    assert _staff(people["co_organizer"]) == (False, False)
    assert _staff(newcomer) == (True, True)


def test_the_last_organizer_cannot_be_moved_or_demoted(client, group, organizer):
    client.force_login(organizer)
    mine = Membership.objects.get(user=organizer)
    for change in ({"user": UserFactory().pk}, {"role": Role.MEMBER}):
        response = client.post(
            f"/admin/groups/membership/{mine.pk}/change/", _change(mine, **change)
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "last organizer" in " ".join(next(iter(errors.values())))
    assert Membership.objects.get(pk=mine.pk).role == Role.ORGANIZER
    assert _staff(organizer) == (True, True)
    assert (
        client.post(f"/admin/groups/membership/{mine.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_deleting_a_membership_ends_staff_status(client, group, organizer, co_organizer):
    client.force_login(organizer)
    co = Membership.objects.get(user=co_organizer)
    assert (
        client.post(f"/admin/groups/membership/{co.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    # Two organizers: removing one waits for the other (groups.confirmations), here the
    # person removed, who agrees.
    assert _staff(co_organizer) == (True, True)
    action_confirm(action=PendingAction.objects.get(), by=co_organizer)
    assert _staff(co_organizer) == (False, False)


def test_delete_group_command_recomputes_staff(group, organizer, co_organizer):
    out = io.StringIO()
    call_command("delete_group", group.slug, stdout=out)
    assert not Group.objects.exists()
    assert _staff(organizer) == (False, False)
    assert _staff(co_organizer) == (False, False)


def test_co_organizer_cannot_promote_demote_or_change_the_group(
    client, group, organizer, co_organizer
):
    client.force_login(co_organizer)
    lead = Membership.objects.get(user=organizer)
    member = MembershipFactory(group=group)
    for target, change in ((lead, {"role": Role.MEMBER}), (member, {"role": Role.ORGANIZER})):
        url = f"/admin/groups/membership/{target.pk}/change/"
        assert client.post(url, _change(target, **change)).status_code == 403
    assert Membership.objects.get(pk=lead.pk).role == Role.ORGANIZER
    assert Membership.objects.get(pk=member.pk).role == Role.MEMBER
    assert (
        client.post(f"/admin/groups/group/{group.pk}/change/", {"name": "Taken"}).status_code == 403
    )
    group.refresh_from_db()
    assert group.name != "Taken"


LOGIN = 302
# (url, method) -> {role: status}; the admin sends visitors and members to its login page.
ACCESS = {
    ("group_change", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 200,
        "organizer": 200,
        "superuser": 200,
    },
    ("group_delete", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 403,
        "organizer": 403,
        "superuser": 403,
    },
    ("group_delete", "post"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 403,
        "organizer": 403,
        "superuser": 403,
    },
    ("group_add", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 403,
        "organizer": 403,
        "superuser": 403,
    },
    ("membership_list", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 200,
        "organizer": 200,
        "superuser": 200,
    },
    ("membership_add", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 403,
        "organizer": 200,
        "superuser": 200,
    },
    ("membership_change", "post"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 403,
        "organizer": 302,
        "superuser": 302,
    },
    ("email_list", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 200,
        "organizer": 200,
        "superuser": 200,
    },
    ("email_change", "get"): {
        "anonymous": LOGIN,
        "member": LOGIN,
        "host": LOGIN,
        "co_organizer": 200,
        "organizer": 200,
        "superuser": 200,
    },
}
TABLE = [(u, m, r, c) for (u, m), row in ACCESS.items() for r, c in row.items()]


@pytest.mark.parametrize(("url", "method", "role", "expected"), TABLE)
def test_admin_access(client, group, people, url, method, role, expected):
    member = Membership.objects.get(user=people["member"])
    log = Email.objects.create(kind="announcement", address="a@example.org", state="sent")
    urls = {
        "group_change": f"/admin/groups/group/{group.pk}/change/",
        "group_delete": f"/admin/groups/group/{group.pk}/delete/",
        "group_add": "/admin/groups/group/add/",
        "membership_list": "/admin/groups/membership/",
        "membership_add": "/admin/groups/membership/add/",
        "membership_change": f"/admin/groups/membership/{member.pk}/change/",
        "email_list": "/admin/core/email/",
        "email_change": f"/admin/core/email/{log.pk}/change/",
    }
    if role != "anonymous":
        client.force_login(people[role])
    data = (
        _change(member, role=Role.CO_ORGANIZER) if url == "membership_change" else {"post": "yes"}
    )
    response = getattr(client, method)(urls[url], data if method == "post" else None)
    assert response.status_code == expected
    if expected == LOGIN and role in ("anonymous", "member", "host"):
        assert response["Location"].startswith("/admin/login/")
    assert Group.objects.filter(pk=group.pk).exists()
