"""Consent proposals, positions, elections (with their candidates) and settings polls in the
admin: organizers look them up; nobody adds, changes or deletes them there (the site's
services do, and log it)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import Decision, Election, Position, SettingPoll
from groups.models import Role
from tests.factories import GroupFactory, MembershipFactory, UserFactory, organizer_for
from tests.worlds import built_once, fresh_copy

pytestmark = pytest.mark.django_db

MODELS = ["decision", "position", "election", "settingpoll"]


def _build():
    now = timezone.now()
    group = GroupFactory()
    organizer = organizer_for(group)
    member = MembershipFactory(group=group, role=Role.MEMBER).user
    ana = MembershipFactory(group=group, user=UserFactory(display_name="Ana"), role=Role.MEMBER)
    ben = MembershipFactory(group=group, user=UserFactory(display_name="Ben"), role=Role.MEMBER)
    decision = services.decision_open(
        group=group,
        by=organizer,
        title="Move to Thursdays",
        body="Thursdays suit the library.",
        closes_at=now + timedelta(days=7),
    )
    services.position_state(decision=decision, member=ana.user, position="agree")
    services.position_state(
        decision=decision, member=ben.user, position="block", reason="BLOCK-REASON: my shift"
    )
    services.election_open(
        group=group,
        by=organizer,
        role=Role.CO_ORGANIZER,
        seats=1,
        candidates=[ana.user, ben.user],
        closes_at=now + timedelta(days=7),
        term_ends=now + timedelta(days=365),
    )
    services.setting_poll_open(
        group=group,
        by=organizer,
        setting="attendee_lists",
        value="hosts",
        closes_at=now + timedelta(days=7),
    )
    return {"decision": decision, "group": group, "organizer": organizer, "member": member}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The rows built once for the module (tests/worlds.py): the tests read them, and the one
    that adds proposals does so in its own savepoint."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def world(built):
    return fresh_copy(built)


@pytest.fixture
def group(world):
    return world["group"]


@pytest.fixture
def organizer(world):
    return world["organizer"]


@pytest.fixture
def member(world):
    return world["member"]


def _objects():
    return {
        "decision": Decision.objects.get(),
        "position": Position.objects.get(position="block"),
        "election": Election.objects.get(),
        "settingpoll": SettingPoll.objects.get(),
    }


@pytest.mark.parametrize("model", MODELS)
def test_organizers_look_them_up_and_cannot_change_them(client, world, organizer, model):
    client.force_login(organizer)
    obj = _objects()[model]
    listing = client.get(reverse(f"admin:decisions_{model}_changelist"))
    assert listing.status_code == 200
    change = reverse(f"admin:decisions_{model}_change", args=[obj.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view only
    assert client.get(reverse(f"admin:decisions_{model}_add")).status_code == 403
    assert client.post(change, {}).status_code == 403
    assert client.get(reverse(f"admin:decisions_{model}_delete", args=[obj.pk])).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_members_do_not_reach_them(client, world, member, model):
    client.force_login(member)
    response = client.get(reverse(f"admin:decisions_{model}_changelist"))
    assert response.status_code == 302  # to the admin's login


def test_a_consent_proposal_shows_its_counts_and_the_reasons(client, world, organizer):
    client.force_login(organizer)
    listing = client.get(reverse("admin:decisions_decision_changelist")).content.decode()
    row = listing.split("Move to Thursdays", 1)[1].split("</tr>", 1)[0]
    counts = [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[1:]]
    assert counts[3:7] == ["1", "0", "0", "1"]  # agree, abstain, disagree, block
    page = client.get(
        reverse("admin:decisions_decision_change", args=[world["decision"].pk])
    ).content.decode()
    assert "BLOCK-REASON: my shift" in page


def test_an_election_lists_its_candidates(client, world, organizer):
    client.force_login(organizer)
    election = Election.objects.get()
    page = client.get(reverse("admin:decisions_election_change", args=[election.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ana" in text and "Ben" in text


def test_the_consent_changelist_queries_do_not_grow(
    client, world, group, organizer, django_assert_max_num_queries
):
    client.force_login(organizer)
    url = reverse("admin:decisions_decision_changelist")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    now = timezone.now()
    for number in range(15):
        services.decision_open(
            group=group,
            by=organizer,
            title=f"Idea {number}",
            body="Text",
            closes_at=now + timedelta(days=7),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
