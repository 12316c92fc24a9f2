"""Ballots are secret: nothing anyone else can read links a member to what they chose.

The main check swaps two members' ballots (Ann's goes to Bob, Bob's to Ann: the counts stay the
same) and asks that every page, admin page, log entry and other member's export reads exactly
as before. Anything that tied a member to a choice would change with the swap. Only the
member's own export holds their ballot.
"""

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from core.generations import data_changed
from decisions import services
from decisions.models import Ballot, Poll
from groups.models import LogEntry, LogKind
from members import services as member_services
from tests.factories import EventFactory, MembershipFactory, UserFactory

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


@pytest.fixture
def site(group, organizer):
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
    for name, labels in BALLOTS.items():
        services.ballot_cast(poll=poll, member=people[name], choices=[options[x] for x in labels])
    proposal = services.proposal_add(
        group=group, author=people["ann"], kind="topic", title="Picnic in the park"
    )
    services.proposal_support(proposal=proposal, member=people["bob"])
    event = EventFactory(group=group, starts_at=NOW + timedelta(days=4))
    return {"people": people, "poll": poll, "proposal": proposal, "event": event}


def _swap(poll, one, other) -> None:
    """Gives one's ballot to other and other's to one: the same ballots, the same counts."""
    first = Ballot.objects.get(poll=poll, member=one)
    second = Ballot.objects.get(poll=poll, member=other)
    Ballot.objects.filter(pk=first.pk).update(member=None)
    Ballot.objects.filter(pk=second.pk).update(member=one)
    Ballot.objects.filter(pk=first.pk).update(member=other)
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
    client = Client()
    for role in ("nina", "cid", "organizer", "superuser"):
        client.force_login(people[role])
        seen |= {(role, url): _read(client, url) for url in _pages(s)}
    seen["log"] = list(LogEntry.objects.order_by("pk").values())
    for role in ("nina", "cid", "dee", "organizer"):
        exported = _export(people[role])
        seen[("export", role)] = {k: v for k, v in exported.items() if k != "exported_at"}
    return seen


def _admin(s) -> dict:
    """The admin, as the organizer and a superuser."""
    client = Client()
    seen = {}
    for role in ("organizer", "superuser"):
        client.force_login(s["people"][role])
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
    _swap(poll, people["ann"], people["bob"])
    assert _differences(open_view, _everything(site)) == []

    services.poll_close(poll=poll, by=people["organizer"])
    closed_view = _everything(site)
    assert "Banana split wins." in closed_view[("nina", poll.get_absolute_url())]
    _swap(poll, people["ann"], people["bob"])
    assert _differences(closed_view, _everything(site)) == []


def test_swapping_two_ballots_changes_no_admin_page(site):
    poll, people = site["poll"], site["people"]
    open_view = _admin(site)
    _swap(poll, people["ann"], people["bob"])
    assert _differences(open_view, _admin(site)) == []
    services.poll_close(poll=poll, by=people["organizer"])
    closed_view = _admin(site)
    _swap(poll, people["ann"], people["bob"])
    assert _differences(closed_view, _admin(site)) == []


def test_a_swap_is_seen_by_the_voters_themselves(site):
    """The check above can fail: Ann's own poll page and export show her ballot."""
    poll, people = site["poll"], site["people"]
    client = Client()
    client.force_login(people["ann"])
    page = _read(client, poll.get_absolute_url())
    exported = _export(people["ann"])["ballots"]
    _swap(poll, people["ann"], people["bob"])
    assert _read(client, poll.get_absolute_url()) != page
    assert _export(people["ann"])["ballots"] != exported


def test_no_page_names_a_voter_next_to_a_choice(site):
    """The pages about the poll and the log name no voter at all."""
    poll, people = site["poll"], site["people"]
    services.poll_close(poll=poll, by=people["organizer"])
    client = Client()
    names = [people[n].display_name for n in VOTERS]
    for role in ("nina", "organizer", "superuser"):
        client.force_login(people[role])
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
        (LogKind.POLL_OPENED, people["organizer"].pk, None, question, ""),
        (LogKind.POLL_CLOSED, people["organizer"].pk, None, question, BANANA),
    ]


def test_there_is_no_ballot_admin(site, client):
    people = site["people"]
    assert Ballot not in admin.site._registry
    for role in ("organizer", "superuser"):
        client.force_login(people[role])
        assert client.get("/admin/decisions/ballot/").status_code == 404
        assert (
            client.get(f"/admin/decisions/ballot/{Ballot.objects.first().pk}/change/").status_code
            == 404
        )
        index = client.get(reverse("admin:index")).content.decode()
        assert "/admin/decisions/poll/" in index
        assert "ballot/" not in index and ">Ballots<" not in index


@pytest.mark.parametrize(
    "lookup",
    [
        "ballots__member__id__exact",
        "ballots__member",
        "ballots__member__display_name",
        "ballots__choices__contains",
    ],
)
def test_the_poll_admin_cannot_be_filtered_by_who_voted(site, client, lookup):
    """A hand-made query string must not list the polls a given member voted in."""
    people = site["people"]
    client.force_login(people["superuser"])
    url = reverse("admin:decisions_poll_changelist")
    value = {"ballots__member__display_name": "Voter Ann"}.get(lookup, people["ann"].pk)
    response = client.get(url, {lookup: value})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:  # Django's "?e=1": the filter is ignored
        assert response["Location"].endswith("?e=1")


# --- Only the member's own export holds their ballot -------------------------------------------


def test_each_voter_exports_their_own_ballot_in_their_order(site):
    poll, people = site["poll"], site["people"]
    for name, labels in BALLOTS.items():
        exported = _export(people[name])
        assert exported["ballots"] == [
            {"poll": poll.question, "choices": labels, "cast_at": NOW.isoformat()}
        ], name
    nina = _export(people["nina"])
    assert nina["ballots"] == []
    raw = json.dumps(nina)
    assert [label for label in (APPLE, BANANA, CHERRY) if label in raw] == []


def test_a_changed_ballot_is_exported_as_changed(site):
    poll, people = site["poll"], site["people"]
    options = {o.label: o for o in poll.options.all()}
    later = NOW + timedelta(hours=2)
    services.ballot_cast(
        poll=poll, member=people["ann"], choices=[options[CHERRY], options[APPLE]], now=later
    )
    assert _export(people["ann"])["ballots"] == [
        {"poll": poll.question, "choices": [CHERRY, APPLE], "cast_at": later.isoformat()}
    ]
    assert Ballot.objects.filter(poll=poll).count() == len(VOTERS)


# --- Results: hidden until the poll closes, unless it says otherwise ---------------------------

RESULTS_TABLE = '<table class="results">'


def _pairs(counts):
    """A round's counts, (option, votes) in option order (a dict or a list of pairs)."""
    return list(counts.items()) if isinstance(counts, dict) else list(counts)


HIDDEN = "The results appear when the poll closes."


def _poll_page(site, role) -> str:
    client = Client()
    client.force_login(site["people"][role])
    return _read(client, site["poll"].get_absolute_url())


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
def test_deleted_account_ballot_stays_counted_without_a_member(site, keep_writing):
    poll, people = site["poll"], site["people"]
    before = services.poll_results(poll=poll)
    ann_ballot = Ballot.objects.get(poll=poll, member=people["ann"])
    member_services.member_delete(member=people["ann"], keep_writing=keep_writing)
    kept = Ballot.objects.get(pk=ann_ballot.pk)
    assert (kept.member_id, kept.choices) == (None, ann_ballot.choices)
    assert Ballot.objects.filter(poll=poll).count() == len(VOTERS)
    after = services.poll_results(poll=poll)
    assert after == before
    services.poll_close(poll=poll, by=people["organizer"])
    page = _poll_page(site, "nina")
    assert "5 ballots." in page and "Banana split wins." in page
    # Nobody's export holds it now.
    for name in ("bob", "cid", "dee", "eve", "nina", "organizer"):
        assert len(_export(people[name])["ballots"]) == (name != "nina" and name != "organizer")
