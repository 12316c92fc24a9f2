"""Ballots are secret: nothing anyone can read links a member to what they chose.

The main check swaps two members' ballots (Ann's goes to Bob, Bob's to Ann: the counts stay the
same; the test finds their box rows by the receipts it kept, which the site does not) and asks
that every page, admin page, log entry and export, the voters' own included, reads exactly as
before. Anything that tied a member to a choice would change with the swap. The roll (who
voted) and the box (what was chosen) are separate tables; test_secret_ballots.py reads them raw.
"""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.generations import data_changed
from decisions import secrecy, services
from decisions.models import BallotBox, Poll, VoterRoll
from groups.models import LogEntry, LogKind
from members import services as member_services
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    organizer_for,
)
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
APPLE, BANANA, CHERRY = "Apple pie", "Banana split", "Cherry tart"
# Ranked ballots, counted by hand: round 1 Apple 2, Banana 2, Cherry 1 (no option has more
# than half of 5); Cherry is eliminated and Cid's ballot goes to Banana: round 2 Apple 2,
# Banana 3, and Banana wins.
BALLOTS = {
    "ann": [APPLE, BANANA],
    "bob": [BANANA, APPLE],
    "cid": [CHERRY, BANANA],
    "dee": [APPLE, CHERRY],
    "eve": [BANANA, CHERRY],
}
VOTERS = list(BALLOTS)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The group, its members, the poll and their ballots, built once for the module
    (tests/worlds.py); each test still starts from them as built, with the poll open. Those
    who read pages are signed in once here too (`_signed_in`)."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def site(built, db):
    return fresh_copy(built)


@pytest.fixture
def group(site):
    return site["group"]


def _build():
    with time_machine.travel(NOW, tick=False):
        group = GroupFactory()
        return _site(group, organizer_for(group))


def _site(group, organizer):
    people = {
        name: MembershipFactory(
            group=group,
            user__display_name=f"Voter {name.title()}",
            user__email=f"{name}@example.org",
        ).user
        for name in VOTERS
    }
    people["nina"] = MembershipFactory(group=group, user__display_name="Nina Nonvoter").user
    people["organizer"] = organizer
    people["superuser"] = UserFactory(is_staff=True, is_superuser=True)
    poll = services.poll_open(
        group=group,
        by=organizer,
        question="Which dessert for the picnic?",
        options=[APPLE, BANANA, CHERRY],
        method="ranked",
        opens_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(days=2),
    )
    options = {o.label: o for o in poll.options.all()}
    receipts = {}
    for name, labels in BALLOTS.items():
        cast = services.ballot_cast(
            poll=poll, member=people[name], choices=[options[x] for x in labels]
        )
        receipts[name] = cast.receipt
    proposal = services.proposal_add(
        group=group, author=people["ann"], kind="topic", title="Picnic in the park"
    )
    services.proposal_support(proposal=proposal, member=people["bob"])
    event = EventFactory(group=group, starts_at=NOW + timedelta(days=4))
    return {
        "group": group,
        "people": people,
        "poll": poll,
        "proposal": proposal,
        "event": event,
        "receipts": receipts,
        "sessions": _sessions(people),
    }


# Those who read pages in the tests below.
READERS = ("nina", "ann", "bob", "cid", "organizer", "superuser")


def _sessions(people) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys({role: people[role] for role in READERS})


def _signed_in(s, role, client=None) -> Client:
    """A client (a new one unless given) signed in as `role` with the module's session."""
    client = client or Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = s["sessions"][role]
    return client


def _box(s, name) -> BallotBox:
    """A voter's box row, found by the receipt the test kept (the site keeps only its hash)."""
    poll = s["poll"]
    return BallotBox.objects.get(
        poll=poll, receipt_hash=secrecy.receipt_hash(poll.pk, s["receipts"][name])
    )


def _swap(s, one, other) -> None:
    """Gives one's choices to other and other's to one: the same ballots, the same counts."""
    first, second = _box(s, one), _box(s, other)
    BallotBox.objects.filter(pk=first.pk).update(choices=second.choices)
    BallotBox.objects.filter(pk=second.pk).update(choices=first.choices)
    _changed()


def _changed() -> None:
    data_changed()
    for cache in caches.all():
        cache.clear()


# What differs from one request to the next: CSRF tokens, CSP nonces.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]+"')


def _pages(s) -> list[str]:
    people, poll = s["people"], s["poll"]
    return [
        poll.get_absolute_url(),
        reverse("decisions:polls"),
        reverse("decisions:proposals"),
        s["proposal"].get_absolute_url(),
        reverse("decisions:log"),
        reverse("members:directory"),
        *(reverse("members:profile", args=[people[name].pk]) for name in VOTERS),
        reverse("members:me"),
        s["event"].get_absolute_url(),
    ]


def _admin_pages(s, role) -> list[str]:
    people, poll = s["people"], s["poll"]
    pages = [
        reverse("admin:index"),
        reverse("admin:decisions_poll_changelist"),
        reverse("admin:decisions_poll_change", args=[poll.pk]),
        reverse("admin:decisions_poll_history", args=[poll.pk]),
        reverse("admin:decisions_proposal_changelist"),
        reverse("admin:groups_logentry_changelist"),
    ]
    if role == "superuser":
        pages += [reverse("admin:members_user_change", args=[people[n].pk]) for n in VOTERS]
    return pages


def _read(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return PER_REQUEST.sub(r"\1TOKEN", response.content.decode())


def _everything(s) -> dict:
    """What the others read: every page, as a member who did not vote, a voter whose ballot
    is not swapped, the organizer and a superuser; the log rows; the others' exports."""
    people = s["people"]
    seen = {}
    urls = _pages(s)
    for role in ("nina", "ann", "bob", "cid", "organizer", "superuser"):
        client = _signed_in(s, role)
        seen |= {(role, url): _read(client, url) for url in urls}
    seen["log"] = list(LogEntry.objects.order_by("pk").values())
    for role in ("nina", "ann", "bob", "cid", "dee", "organizer"):
        exported = _export(people[role])
        seen[("export", role)] = {k: v for k, v in exported.items() if k != "exported_at"}
    return seen


def _admin(s) -> dict:
    """The admin, as the organizer and a superuser."""
    seen = {}
    for role in ("organizer", "superuser"):
        client = _signed_in(s, role)
        seen |= {(role, url): _read(client, url) for url in _admin_pages(s, role)}
    return seen


def _export(member) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    return json.loads(archive.read("data.json"))


def _differences(before: dict, after: dict) -> list:
    return [key for key in before if before[key] != after[key]]


def test_swapping_two_ballots_changes_nothing_anyone_else_reads(site):
    """While the poll is open (results hidden), then once it is closed (results shown)."""
    poll, people = site["poll"], site["people"]
    open_view = _everything(site)
    _swap(site, "ann", "bob")
    assert _differences(open_view, _everything(site)) == []

    services.poll_close(poll=poll, by=people["organizer"])
    closed_view = _everything(site)
    assert "Banana split wins." in closed_view[("nina", poll.get_absolute_url())]
    _swap(site, "ann", "bob")
    assert _differences(closed_view, _everything(site)) == []


def test_swapping_two_ballots_changes_no_admin_page(site):
    poll, people = site["poll"], site["people"]
    open_view = _admin(site)
    _swap(site, "ann", "bob")
    assert _differences(open_view, _admin(site)) == []
    services.poll_close(poll=poll, by=people["organizer"])
    closed_view = _admin(site)
    _swap(site, "ann", "bob")
    assert _differences(closed_view, _admin(site)) == []


def test_the_check_can_fail_a_changed_ballot_is_seen(site):
    """The check above can fail: a ballot changed (not swapped) changes the closed results
    everyone reads."""
    poll, people = site["poll"], site["people"]
    services.poll_close(poll=poll, by=people["organizer"])
    closed_view = _everything(site)
    cherry = poll.options.get(label=CHERRY).pk
    BallotBox.objects.filter(pk=_box(site, "bob").pk).update(choices=[cherry])
    _changed()
    assert ("nina", poll.get_absolute_url()) in _differences(closed_view, _everything(site))


def test_no_page_names_a_voter_next_to_a_choice(site):
    """The pages about the poll and the log name no voter at all."""
    poll, people = site["poll"], site["people"]
    services.poll_close(poll=poll, by=people["organizer"])
    names = [people[n].display_name for n in VOTERS]
    for role in ("nina", "organizer", "superuser"):
        client = _signed_in(site, role)
        urls = [poll.get_absolute_url(), reverse("decisions:polls"), reverse("decisions:log")]
        if role != "nina":
            urls += [
                reverse("admin:decisions_poll_changelist"),
                reverse("admin:decisions_poll_change", args=[poll.pk]),
            ]
        for url in urls:
            page = _read(client, url)
            assert [name for name in names if name in page] == [], (role, url)


def test_the_log_says_the_poll_opened_and_closed_with_its_winner_only(site):
    poll, people = site["poll"], site["people"]
    services.poll_close(poll=poll, by=people["organizer"])
    entries = list(
        LogEntry.objects.filter(url=poll.get_absolute_url())
        .order_by("pk")
        .values_list("kind", "actor", "member", "title", "detail")
    )
    question = poll.question
    assert entries == [
        # The roll's size: the five voters, Nina and the organizer.
        (LogKind.POLL_OPENED, people["organizer"].pk, None, question, "7"),
        (LogKind.POLL_CLOSED, people["organizer"].pk, None, question, BANANA),
    ]


def test_there_is_no_roll_or_box_admin(site, client):
    assert BallotBox not in admin.site._registry and VoterRoll not in admin.site._registry
    for role in ("organizer", "superuser"):
        _signed_in(site, role, client)
        for model in ("ballotbox", "voterroll", "eligible"):
            assert client.get(f"/admin/decisions/{model}/").status_code == 404
        box = BallotBox.objects.first().pk
        assert client.get(f"/admin/decisions/ballotbox/{box}/change/").status_code == 404
        index = client.get(reverse("admin:index")).content.decode()
        assert "/admin/decisions/poll/" in index
        assert "ballotbox/" not in index and "voterroll/" not in index


@pytest.mark.parametrize(
    "lookup",
    [
        "roll__member__id__exact",
        "roll__member",
        "roll__member__display_name",
        "eligible__member",
        "ballots__choices__contains",
    ],
)
def test_the_poll_admin_cannot_be_filtered_by_who_voted(site, client, lookup):
    """A hand-made query string must not list the polls a given member voted in."""
    people = site["people"]
    _signed_in(site, "superuser", client)
    url = reverse("admin:decisions_poll_changelist")
    value = {"roll__member__display_name": "Voter Ann"}.get(lookup, people["ann"].pk)
    response = client.get(url, {lookup: value})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:  # Django's "?e=1": the filter is ignored
        assert response["Location"].endswith("?e=1")


# --- A voter's export says they voted, not what they chose ------------------------------------


def test_each_voter_exports_that_they_voted_not_their_choices(site):
    poll, people = site["poll"], site["people"]
    for name in BALLOTS:
        exported = _export(people[name])
        assert exported["ballots"] == [
            {"poll": poll.question, "voted_on": NOW.date().isoformat()}
        ], name
        raw = json.dumps(exported)
        assert [label for label in (APPLE, BANANA, CHERRY) if label in raw] == [], name
    assert _export(people["nina"])["ballots"] == []


def test_a_changed_ballot_changes_nothing_in_the_export(site):
    poll, people = site["poll"], site["people"]
    options = {o.label: o for o in poll.options.all()}
    before = _export(people["ann"])["ballots"]
    services.ballot_cast(
        poll=poll,
        member=people["ann"],
        choices=[options[CHERRY], options[APPLE]],
        receipt=site["receipts"]["ann"],
        now=NOW + timedelta(days=1),
    )
    assert _box(site, "ann").choices == [options[CHERRY].pk, options[APPLE].pk]
    assert _export(people["ann"])["ballots"] == before
    assert BallotBox.objects.filter(poll=poll).count() == len(VOTERS)


# --- Results: hidden until the poll closes, unless it says otherwise ---------------------------

RESULTS_TABLE = '<table class="results">'


def _pairs(counts):
    """A round's counts, (option, votes) in option order (a dict or a list of pairs)."""
    return list(counts.items()) if isinstance(counts, dict) else list(counts)


HIDDEN = "The results appear when the poll closes."


def _poll_page(site, role) -> str:
    return _read(_signed_in(site, role), site["poll"].get_absolute_url())


def test_results_hidden_while_open(site):
    member, organizer = _poll_page(site, "nina"), _poll_page(site, "organizer")
    assert (RESULTS_TABLE in member, HIDDEN in member, "ballots so far" in member) == (
        False,
        True,
        False,
    )
    # Organizers see how many voted, not for what.
    assert (RESULTS_TABLE in organizer, "5 ballots so far." in organizer) == (False, True)
    for page in (member, organizer):
        assert [x for x in (APPLE, BANANA, CHERRY) if f"{x} wins." in page] == []


def test_results_shown_while_open_when_the_poll_says_so(site):
    Poll.objects.filter(pk=site["poll"].pk).update(results_while_open=True)
    page = _poll_page(site, "nina")
    assert (RESULTS_TABLE in page, HIDDEN in page, "(So far: the poll is still open.)" in page) == (
        True,
        False,
        True,
    )
    assert "5 ballots." in page and "Banana split wins." in page


def test_results_after_closing_are_the_hand_count(site):
    poll = site["poll"]
    services.poll_close(poll=poll, by=site["people"]["organizer"])
    results = services.poll_results(poll=Poll.objects.get(pk=poll.pk))
    rounds = [[(o.label, votes) for o, votes in _pairs(r.counts)] for r in results.rounds]
    assert rounds[0] == [(APPLE, 2), (BANANA, 2), (CHERRY, 1)]
    assert [o.label for o in results.rounds[0].eliminated] == [CHERRY]
    assert dict(rounds[1])[APPLE] == 2 and dict(rounds[1])[BANANA] == 3
    assert (results.winner.label, results.ballots) == (BANANA, 5)
    page = _poll_page(site, "nina")
    assert (RESULTS_TABLE in page, HIDDEN in page) == (True, False)
    assert "5 ballots." in page and "Banana split wins." in page
    assert "Round 2" in page


# --- An account deleted: its ballot stays in the count, nobody's -------------------------------


@pytest.mark.parametrize("keep_writing", [False, True])
def test_deleted_account_ballot_stays_counted_and_the_roll_keeps_its_key(site, keep_writing):
    poll, people = site["poll"], site["people"]
    before = services.poll_results(poll=poll)
    boxes = sorted(BallotBox.objects.filter(poll=poll).values_list("id", "choices"))
    member_services.member_delete(member=people["ann"], keep_writing=keep_writing)
    assert sorted(BallotBox.objects.filter(poll=poll).values_list("id", "choices")) == boxes
    ann_key = secrecy.voter_key("ann@example.org")
    assert list(VoterRoll.objects.filter(poll=poll, voter_key=ann_key).values_list("member")) == [
        (None,)
    ]
    after = services.poll_results(poll=poll)
    assert after == before
    services.poll_close(poll=poll, by=people["organizer"])
    page = _poll_page(site, "nina")
    assert "5 ballots." in page and "Banana split wins." in page
    for name in ("bob", "cid", "dee", "eve", "nina", "organizer"):
        assert len(_export(people[name])["ballots"]) == (name != "nina" and name != "organizer")


# --- One person, one vote, whatever accounts they make -----------------------------------------


def test_deleting_the_account_and_signing_up_again_leaves_one_ballot(site, group):
    """Ann votes, deletes her account, signs up again with the same address (a +tag and
    capitals make no difference), joins, and votes again: the roll knows her address's keyed
    hash, so her new account has already voted; with the receipt she kept she changes her one
    ballot, never adds a second."""
    poll, people = site["poll"], site["people"]
    options = {o.label: o for o in poll.options.all()}
    member_services.member_delete(member=people["ann"], keep_writing=False)
    again = MembershipFactory(
        group=group, user__email="Ann+again@Example.org", user__display_name="Ann Again"
    ).user
    assert services.may_vote(poll, again) and services.has_voted(poll, again)
    with pytest.raises(ValidationError) as error:
        services.ballot_cast(poll=poll, member=again, choices=[options[CHERRY]])
    assert error.value.error_dict["receipt"][0].code == "voted"
    client = Client()
    client.force_login(again)
    page = _read(client, poll.get_absolute_url())
    assert "You voted: change your ballot with your receipt" in page
    assert (BallotBox.objects.filter(poll=poll).count(), poll.roll.count()) == (5, 5)

    services.ballot_cast(
        poll=poll, member=again, choices=[options[CHERRY]], receipt=site["receipts"]["ann"]
    )
    assert (BallotBox.objects.filter(poll=poll).count(), poll.roll.count()) == (5, 5)
    # By hand: Ann [Cherry], Bob [Banana, Apple], Cid [Cherry, Banana], Dee [Apple, Cherry],
    # Eve [Banana, Cherry]. Round 1: Apple 1, Banana 2, Cherry 2, no majority of 5; Apple is
    # eliminated and Dee's ballot goes to Cherry: Cherry 3, Banana 2.
    services.poll_close(poll=poll, by=people["organizer"])
    results = services.poll_results(poll=Poll.objects.get(pk=poll.pk))
    assert [(o.label, n) for o, n in _pairs(results.rounds[0].counts)] == [
        (APPLE, 1),
        (BANANA, 2),
        (CHERRY, 2),
    ]
    assert (results.winner.label, results.ballots) == (CHERRY, 5)
