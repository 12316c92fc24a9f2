"""With "members decide these settings" on, the admin shows them read-only and refuses a
change, saying why; a settings poll (tests/decisions/test_elections.py) changes them."""

import pytest
from django.urls import reverse

from groups.models import Group
from tests.groups.admin_form import group_form

pytestmark = pytest.mark.django_db

REFUSED = "The members decide this setting, so it is not changed here"


def _data(group, **changes):
    return group_form(group, **changes)


def _post(client, group, data):
    return client.post(reverse("admin:groups_group_change", args=[group.pk]), data)


def test_the_admin_refuses_a_setting_the_members_decide(client, group, organizer):
    Group.objects.filter(pk=group.pk).update(members_decide_settings=True)
    group.refresh_from_db()
    client.force_login(organizer)
    page = client.get(reverse("admin:groups_group_change", args=[group.pk]))
    form = page.context["adminform"].form
    decided = (
        "join_needs_approval",
        "members_open_polls",
        "attendee_lists",
        "comments_may_be_public",
    )
    assert [form.fields[n].disabled for n in decided] == [True, True, True, True]
    assert "The members decide this setting: propose a change as a settings poll." in (
        page.content.decode()
    )
    response = _post(client, group, _data(group, join_needs_approval="on"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["join_needs_approval"]
    assert errors["join_needs_approval"][0].startswith(REFUSED)
    assert Group.objects.get(pk=group.pk).join_needs_approval is False
    # Turning the switch off (the box left out, as a browser sends it) changes nothing either,
    # while the other fields save.
    response = _post(client, group, _data(group, members_decide_settings=None, city="Quito"))
    assert response.status_code == 302
    saved = Group.objects.get(pk=group.pk)
    assert (saved.members_decide_settings, saved.city) == (True, "Quito")


def test_without_the_switch_organizers_change_the_settings(client, group, organizer):
    client.force_login(organizer)
    response = _post(client, group, _data(group, join_needs_approval="on"))
    assert response.status_code == 302
    saved = Group.objects.get(pk=group.pk)
    assert saved.join_needs_approval is True
    # ... but not the switch itself: only a settings poll or the group's creation sets it.
    response = _post(client, group, _data(saved, members_decide_settings="on"))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["members_decide_settings"]
    assert Group.objects.get(pk=group.pk).members_decide_settings is False


def test_the_admin_refuses_the_privacy_settings_the_members_decide(client, group, organizer):
    """Who sees attendee lists and whether comments may be public join the members' settings."""
    Group.objects.filter(pk=group.pk).update(members_decide_settings=True)
    group.refresh_from_db()
    client.force_login(organizer)
    response = _post(client, group, _data(group, attendee_lists="anyone"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["attendee_lists"]
    assert errors["attendee_lists"][0].startswith(REFUSED)
    # The comments box left out (as a browser sends it unticked) changes nothing either.
    assert _post(client, group, _data(group, comments_may_be_public=None)).status_code == 302
    saved = Group.objects.get(pk=group.pk)
    assert (saved.attendee_lists, saved.comments_may_be_public) == ("members", True)


def test_organizers_change_the_privacy_settings_while_members_do_not_decide(
    client, group, organizer
):
    client.force_login(organizer)
    data = _data(group, attendee_lists="hosts", comments_may_be_public=None)
    assert _post(client, group, data).status_code == 302
    saved = Group.objects.get(pk=group.pk)
    assert (saved.attendee_lists, saved.comments_may_be_public) == ("hosts", False)
