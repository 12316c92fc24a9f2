"""Walks groups.visibility.RULES — the table the privacy page prints — against real pages.

For every rule, every role and each choice a member can make, the rule's own audience says
whether the marker (a piece of the owner's data) may appear; the test fetches the pages
where that data is shown and checks it appears exactly when allowed. A rule without a probe
fails the test, so a new kind of data cannot be promised without being checked.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape

from events import services as event_services
from events.models import RSVP, Breakout, RSVPStatus
from groups.services import membership_leave
from groups.visibility import PROFILE_PARTS, RULES, Audience
from members.data import DATA, sections
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.twofactor import give_totp
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "former", "member", "host", "organizer", "self"]
SEES = {
    Audience.ANYONE: set(ROLES),
    Audience.MEMBERS: {"member", "host", "organizer"},
    Audience.HOSTS: {"host", "organizer"},
    Audience.ORGANIZERS: {"organizer"},
    Audience.SELF: set(),
}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The group, the profile's owner and everyone who looks at it, built once for the
    module's hundreds of rows (tests/worlds.py); each test still starts from them as built.
    Everyone who looks is signed in once here too (`_sessions`)."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def rows(built, db):
    return fresh_copy(built)


@pytest.fixture
def group(rows):
    return rows["group"]


@pytest.fixture
def site(rows):
    return rows["site"]


def _build():
    group = GroupFactory()
    return {"group": group, "site": _site(group, organizer_for(group))}


def _site(group, organizer):
    owner_membership = MembershipFactory(
        group=group,
        user__display_name="Owner Olive",
        user__bio="OWNER-BIO",
        user__pronouns="OWNER-PRONOUNS",
        user__city="OWNER-CITY",
        user__links="Site https://owner.example.org/OWNER-LINK",
        answers=[{"question": "Why join?", "answer": "OWNER-JOIN-ANSWER"}],
    )
    owner = owner_membership.user
    give_totp(owner)  # the "two_factor" rule: shown to the owner alone
    event = EventFactory(
        group=group,
        starts_at=timezone.now() + timedelta(days=3),
        rsvp_question="What do you want to talk about?",
    )
    event_services.rsvp_set(event=event, member=owner, going=True, answer="OWNER-ANSWER")
    # An evening the owner went to, with a breakout they facilitated: the profile's facts.
    past = EventFactory(
        group=group,
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7) + timedelta(hours=2),
    )
    RSVP.objects.create(event=past, member=owner, status=RSVPStatus.GOING)
    Breakout.objects.create(event=past, topic="Owner's breakout", facilitator=owner)
    host = MembershipFactory(group=group).user
    event.hosts.add(host)
    former = MembershipFactory(group=group).user
    membership_leave(group=group, user=former)
    # An evening that has ended, which the owner went to: its recap shows who went as faces.
    ended = EventFactory(group=group, starts_at=timezone.now() - timedelta(days=3))
    RSVP.objects.create(event=ended, member=owner, status=RSVPStatus.GOING, answer="OWNER-ANSWER")
    ended.hosts.add(host)
    people = {
        "outsider": UserFactory(),
        "former": former,
        "member": MembershipFactory(group=group).user,
        "host": host,
        "organizer": organizer,
        "self": owner,
    }
    return {
        "owner": owner,
        "membership": owner_membership,
        "event": event,
        "ended": ended,
        "people": people,
        "sessions": _sessions(people),
    }


def _sessions(people) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys(people)


def _profile(site, role):
    return [f"/members/{site['owner'].pk}/"]


# rule key -> (the owner's data to look for, the pages where it is shown for a given role)
PROBES = {
    "account": (
        lambda s: s["owner"].email,
        lambda s, role: (
            ["/me/security/"]
            if role == "self"
            else [f"/admin/members/user/{s['owner'].pk}/change/", *_profile(s, role), "/members/"]
        ),
    ),
    "profile": (lambda s: "OWNER-BIO", _profile),
    "directory": (lambda s: "Owner Olive", lambda s, role: ["/members/"]),
    # Each part of the profile, where it is shown: the profile, and the directory's cards.
    "profile_pronouns": (
        lambda s: "OWNER-PRONOUNS",
        lambda s, role: [*_profile(s, role), "/members/"],
    ),
    "profile_city": (lambda s: "OWNER-CITY", lambda s, role: [*_profile(s, role), "/members/"]),
    "profile_bio": (lambda s: "OWNER-BIO", _profile),
    "profile_links": (lambda s: "OWNER-LINK", _profile),
    "profile_since": (lambda s: "Member since", _profile),
    "profile_evenings": (lambda s: "Evenings attended", _profile),
    "profile_breakouts": (lambda s: "Breakouts facilitated", _profile),
    "memberships": (lambda s: "Owner Olive", lambda s, role: ["/members/?q=olive"]),
    "join_answers": (
        lambda s: "OWNER-JOIN-ANSWER",
        lambda s, role: [
            f"/admin/groups/membership/{s['membership'].pk}/change/",
            "/members/",
            *_profile(s, role),
            "/me/",
        ],
    ),
    "notifications": (
        lambda s: 'name="notify_reminders"',
        lambda s, role: ["/me/notifications/"] if role == "self" else _profile(s, role),
    ),
    "two_factor": (
        lambda s: 'href="/accounts/2fa/totp/deactivate/"',
        lambda s, role: ["/me/security/"] if role == "self" else [*_profile(s, role), "/members/"],
    ),
    "calendar": (
        lambda s: s["owner"].calendar_token,
        lambda s, role: ["/me/calendar/"] if role == "self" else [*_profile(s, role), "/members/"],
    ),
    "attendance": (
        lambda s: "Owner Olive",
        lambda s, role: [
            s["event"].get_absolute_url(),
            f"/events/{s['event'].slug}/check-in/",
            s["ended"].get_absolute_url(),
        ],
    ),
    "rsvp_answers": (
        lambda s: "OWNER-ANSWER",
        lambda s, role: [
            s["event"].get_absolute_url(),
            f"/events/{s['event'].slug}/check-in/",
            s["ended"].get_absolute_url(),
        ],
    ),
}
# Photos are probed in tests/photos/test_visibility.py, with real images; what members write
# in conversations in tests/conversation/test_visibility.py; proposals, supports and ballots in
# tests/decisions/test_visibility.py.
PROBED_ELSEWHERE = {
    "photos",
    "members_only_photos",
    "comments",
    "discussions",
    "announcements",
    "follows",
    "reports",
    "edit_history",
    "mutes",
    "proposals",
    "guest_contact",
    "supports",
    "ballots",
}

# Choices the owner can make that change a rule's audience, each tried in turn.
CHOICES = {
    "profile": [{"profile_visibility": "members"}, {"profile_visibility": "everyone"}],
    "attendance": [{"show_in_attendee_lists": True}, {"show_in_attendee_lists": False}],
    # Each part: kept to the owner; shown to whoever sees a profile open to everyone; shown
    # to members only on a profile open to everyone.
    **{
        f"profile_{part}": [
            {f"{part}_shown_to": "nobody"},
            {"profile_visibility": "everyone", f"{part}_shown_to": "everyone"},
            {"profile_visibility": "everyone", f"{part}_shown_to": "members"},
        ]
        for part in PROFILE_PARTS
    },
}
# What each choice of a part of the profile stands for (groups.visibility.ShownTo).
SHOWN_TO = {"everyone": Audience.ANYONE, "members": Audience.MEMBERS, "nobody": Audience.SELF}


def test_every_rule_has_a_probe():
    assert set(RULES) == set(PROBES) | PROBED_ELSEWHERE


def test_every_section_of_the_data_map_names_rules():
    assert {key for section in DATA for key in section.rule_keys} <= set(RULES)
    assert all(section.rule_keys for section in DATA)


def _expected(rule, role, owner) -> bool:
    if rule.within and not _expected(RULES[rule.within], role, owner):
        return False
    if role == "self" and rule.owner_sees:
        return True
    audience = rule.audience
    if rule.owner_widens and getattr(owner, rule.owner_widens[0]) == rule.owner_widens[1]:
        audience = Audience.ANYONE
    if rule.owner_chooses:
        audience = SHOWN_TO[getattr(owner, rule.owner_chooses)]
    if rule.owner_hides and not getattr(owner, rule.owner_hides):
        audience = Audience.HOSTS
    return role in SEES[audience]


# The header names whoever is logged in, so the owner's own name is no probe for the owner.
NAME_PROBES = {"directory", "memberships", "attendance"}
CASES = [
    (key, choice_index, role)
    for key in PROBES
    for choice_index in range(len(CHOICES.get(key, [{}])))
    for role in ROLES
    if not (role == "self" and key in NAME_PROBES)
]


@pytest.mark.parametrize(("key", "choice_index", "role"), CASES)
def test_rule_holds_on_real_pages(client, site, key, choice_index, role):
    owner = site["owner"]
    for field, value in CHOICES.get(key, [{}])[choice_index].items():
        setattr(owner, field, value)
    owner.save()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = site["sessions"][role]
    marker_of, pages_of = PROBES[key]
    marker = marker_of(site)
    seen = [url for url in pages_of(site, role) if marker in client.get(url).content.decode()]
    assert bool(seen) == _expected(RULES[key], role, owner), (key, role, seen)


def test_privacy_page_says_what_the_rules_say(client, group):
    page = " ".join(client.get("/privacy/").content.decode().split())
    for section in sections():
        for rule in section.rules:
            assert str(rule.audience.label) in page, rule.key
            if rule.choice:
                assert str(rule.choice).replace("'", "&#x27;") in page, rule.key
        for item in section.items:  # the parts of a profile, each with its own rule
            if item.rule:
                said = escape(f"{item.meaning} Who sees it: {item.rule.who_sees}")
                assert said in page, item.key
