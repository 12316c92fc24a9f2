"""groups.visibility's decisions rules against real pages, for every role.

As tests/conversation/test_visibility.py does for what members write: each rule's audience (on
the privacy page) says who may see a piece of the owner's data; the test looks for it on every
page where it could show and checks it appears exactly for them. A marker is a test on the
page's HTML, so that "the owner's ballot" can be "the page saying they voted".
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.generations import data_changed
from decisions import services
from events.models import EventStatus
from groups.services import membership_leave
from groups.visibility import RULES, Audience
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.worlds import built_once, fresh_copy, pages_seen

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "former", "member", "host", "organizer", "self"]
SEES = {
    Audience.ANYONE: set(ROLES),
    Audience.MEMBERS: {"member", "host", "organizer"},
    Audience.HOSTS: {"host", "organizer"},
    Audience.ORGANIZERS: {"organizer"},
    Audience.SELF: set(),
}
KEYS = ["proposals", "guest_contact", "supports", "ballots"]
CONTACT = "owner-guest@example.org"


def _build():
    group = GroupFactory()
    organizer = organizer_for(group)
    owner = MembershipFactory(group=group, user__display_name="Owner Olive").user
    event = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    host = MembershipFactory(group=group).user
    event.hosts.add(host)
    former = MembershipFactory(group=group).user
    membership_leave(group=group, user=former)
    member = MembershipFactory(group=group).user
    starter = MembershipFactory(group=group).user  # proposes what the owner supports
    proposal = services.proposal_add(
        group=group, author=owner, kind="guest", title="OWNER-PROPOSAL", contact=CONTACT
    )
    theirs = services.proposal_add(group=group, author=starter, kind="topic", title="Theirs")
    services.proposal_support(proposal=theirs, member=owner)
    poll = services.poll_open(
        group=group,
        by=organizer,
        question="Which evening?",
        options=["Monday", "Friday"],
        method="single",
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=2),
    )
    friday = poll.options.get(label="Friday")
    services.ballot_cast(poll=poll, member=owner, choices=[friday])
    people = {
        "outsider": UserFactory(),
        "former": former,
        "member": member,
        "host": host,
        "organizer": organizer,
        "self": owner,
    }
    return {
        "owner": owner,
        "event": event,
        "proposal": proposal,
        "theirs": theirs,
        "poll": poll,
        "friday": friday,
        "people": people,
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The owner's proposals, support and ballot, built once for the module (tests/worlds.py);
    each test still starts from them as built."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def site(built, db):
    return fresh_copy(built)


@pytest.fixture(scope="module")
def seen(built):
    """The pages each role saw, kept for the rules that open the same ones
    (tests/worlds.pages_seen)."""
    return {}


def _pages_everyone_might_open(s) -> list[str]:
    return [
        reverse("decisions:proposals"),
        s["proposal"].get_absolute_url(),
        s["theirs"].get_absolute_url(),
        reverse("decisions:polls"),
        s["poll"].get_absolute_url(),
        reverse("decisions:log"),
        s["event"].get_absolute_url(),
        reverse("members:directory"),
        reverse("members:profile", args=[s["owner"].pk]),
        reverse("members:me"),
        "/admin/decisions/proposal/",
        f"/admin/decisions/proposal/{s['proposal'].pk}/change/",
        f"/admin/decisions/proposal/{s['theirs'].pk}/change/",
        "/admin/decisions/poll/",
        f"/admin/decisions/poll/{s['poll'].pk}/change/",
    ]


def _contains(text):
    return lambda page: text in page


def _voted(s):
    """That the owner voted: only their own poll page says so. What they chose is on no page,
    theirs included (the ballot form is never filled in: the site cannot tell their ballot)."""
    pattern = re.compile(rf'<input type="radio" name="choice" value="{s["friday"].pk}"[^>]*checked')
    return lambda page: "You voted" in page and not pattern.search(page)


# rule key -> the test for the owner's data in a page
PROBES = {
    "proposals": lambda s: _contains("OWNER-PROPOSAL"),
    "guest_contact": lambda s: _contains(CONTACT),
    # That the owner supports `theirs`: the list says "including you", the page offers to
    # withdraw; nobody else is told who supports it.
    "supports": lambda s: lambda page: "including you" in page or "Withdraw my support" in page,
    "ballots": _voted,
}


def _expected(key, role) -> bool:
    rule = RULES[key]
    if role == "self" and rule.owner_sees:
        return True
    return role in SEES[rule.audience]


def test_every_decisions_rule_is_probed():
    assert set(PROBES) == set(KEYS)
    assert set(KEYS) <= set(RULES)


@pytest.mark.parametrize("key", KEYS)
def test_decisions_rule_holds_on_real_pages(client, site, seen, key):
    found = PROBES[key](site)
    urls = _pages_everyone_might_open(site)
    wrong = []
    for role, pages in pages_seen(
        client, people=site["people"], roles=ROLES, urls=urls, seen=seen
    ).items():
        showing = [url for url, page in zip(urls, pages, strict=True) if found(page)]
        if bool(showing) != _expected(key, role):
            wrong.append((role, showing))
    assert wrong == []


def test_the_owner_sees_the_probes_where_they_are_shown(client, site):
    """The markers are right: each shows on the page it is meant for (so the probes above
    can fail)."""
    client.force_login(site["owner"])
    proposal = client.get(site["proposal"].get_absolute_url()).content.decode()
    theirs = client.get(site["theirs"].get_absolute_url()).content.decode()
    poll = client.get(site["poll"].get_absolute_url()).content.decode()
    listing = client.get(reverse("decisions:proposals")).content.decode()
    assert (CONTACT in proposal, "Withdraw my support" in theirs) == (True, True)
    assert "including you" in listing
    assert _voted(site)(poll)
    client.force_login(site["people"]["organizer"])
    assert CONTACT in client.get(site["proposal"].get_absolute_url()).content.decode()


# --- The event a proposal became credits its proposer -----------------------------------------


@pytest.fixture
def credited(site):
    """The owner's proposal made an event by the organizers, published as it was drafted."""
    event = services.proposal_to_event(proposal=site["proposal"], by=site["people"]["organizer"])
    event.status = EventStatus.PUBLISHED
    event.save()
    data_changed()
    return event


def test_event_page_credits_the_proposer_to_members_only(client, site, credited):
    """The proposer's name is "proposals" data: members see it, like the proposal itself.
    The event page is public: a visitor reads the event, not who proposed it."""
    wrong = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(site["people"][role])
        page = client.get(credited.get_absolute_url()).content.decode()
        assert credited.title in page
        names = "Owner Olive" in page if role != "self" else "proposal</a> by Owner Olive" in page
        if names != _expected("proposals", role):
            wrong.append(role)
    assert wrong == []
