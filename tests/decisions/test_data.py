"""What members do in decisions, in their data: the export, the privacy page, and what happens
when they delete their account (supports go, ballots stay nobody's, proposals go or stay signed
"a former member", as they chose)."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.generations import data_changed
from decisions import data, services
from decisions.models import Proposal, Support
from events.models import EventStatus
from members import services as member_services
from members.models import User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
NAME = "Zelda Quartzfeld"


def _at(hours: int) -> datetime:
    return NOW + timedelta(hours=hours)


def _iso(hours: int) -> str:
    return _at(hours).isoformat()


@pytest.fixture
def other(group):
    return MembershipFactory(
        group=group, user=UserFactory(display_name="Otto Other", email="otto@example.org")
    ).user


@pytest.fixture
def deciding(group, member, other, organizer):
    """What `member` and `other` proposed, supported and voted."""
    member.display_name = NAME
    member.save(update_fields=["display_name"])
    topic = services.proposal_add(
        group=group,
        author=member,
        kind="topic",
        title="Bike lanes",
        body="Safer *streets*.",
        now=_at(1),
    )
    guest = services.proposal_add(
        group=group,
        author=member,
        kind="guest",
        title="Invite Grace",
        contact="grace@example.org",
        now=_at(2),
    )
    declined = services.proposal_add(
        group=group, author=member, kind="breakout", title="Knitting corner", now=_at(3)
    )
    services.proposal_decline(proposal=declined, by=organizer, reason="No room")
    ottos = services.proposal_add(
        group=group,
        author=other,
        kind="topic",
        title="Otto's idea",
        body="Otto wrote this.",
        now=_at(4),
    )
    my_support = services.proposal_support(proposal=ottos, member=member)
    services.proposal_support(proposal=ottos, member=organizer)
    services.proposal_support(proposal=topic, member=other)
    ranked = services.poll_open(
        group=group,
        by=organizer,
        question="Which talk first?",
        method="ranked",
        options=["Housing", "Data trusts", "Mutual aid"],
        opens_at=_at(0),
        closes_at=_at(24 * 30),
        now=_at(0),
    )
    approval = services.poll_open(
        group=group,
        by=organizer,
        question="Which days suit?",
        method="approval",
        options=["Monday", "Wednesday", "Friday"],
        opens_at=_at(0),
        closes_at=_at(24 * 30),
        now=_at(0),
    )
    ranked_options = {o.label: o for o in ranked.options.all()}
    days = {o.label: o for o in approval.options.all()}
    services.ballot_cast(
        poll=ranked,
        member=member,
        now=_at(5),
        choices=[ranked_options["Mutual aid"], ranked_options["Housing"]],
    )
    services.ballot_cast(
        poll=ranked, member=other, now=_at(6), choices=[ranked_options["Data trusts"]]
    )
    services.ballot_cast(
        poll=approval, member=other, now=_at(7), choices=[days["Monday"], days["Wednesday"]]
    )
    services.ballot_cast(
        poll=approval, member=member, now=_at(8), choices=[days["Friday"], days["Monday"]]
    )
    score = services.poll_open(
        group=group,
        by=organizer,
        question="How good were the talks?",
        method="score",
        options=["Co-ops", "Commons"],
        opens_at=_at(0),
        closes_at=_at(24 * 30),
        now=_at(0),
    )
    services.ballot_cast(poll=score, member=member, now=_at(9), choices={"Commons": 4})
    consent = services.decision_open(
        group=group,
        by=organizer,
        title="Notes in public",
        body="Yes.",
        closes_at=_at(99),
        now=_at(0),
    )
    services.position_state(
        decision=consent, member=member, position="block", reason="Names.", now=_at(10)
    )
    services.position_state(decision=consent, member=other, position="agree", now=_at(11))
    return {
        "topic": topic,
        "guest": guest,
        "declined": declined,
        "ottos": ottos,
        "my_support": my_support,
        "ranked": ranked,
        "approval": approval,
    }


def _export(member) -> tuple[dict, str]:
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    raw = archive.read("data.json").decode()
    return json.loads(raw), raw


# --- Export ------------------------------------------------------------------------------------


def test_export_has_proposals_supports_and_own_ballots(member, deciding):
    exported, raw = _export(member)
    assert exported["proposals"] == [
        {
            "kind": "topic",
            "title": "Bike lanes",
            "body": "Safer *streets*.",
            "contact": "",
            "status": "open",
            "decline_reason": "",
            "proposed_at": _iso(1),
        },
        {
            "kind": "guest",
            "title": "Invite Grace",
            "body": "",
            "contact": "grace@example.org",
            "status": "open",
            "decline_reason": "",
            "proposed_at": _iso(2),
        },
        {
            "kind": "breakout",
            "title": "Knitting corner",
            "body": "",
            "contact": "",
            "status": "declined",
            "decline_reason": "No room",
            "proposed_at": _iso(3),
        },
    ]
    assert exported["supports"] == [
        {
            "proposal": "Otto's idea",
            "since": deciding["my_support"].created_at.astimezone(UTC).isoformat(),
        }
    ]
    # That the member voted, and on which day; not what they chose (nothing can say which
    # ballot in the box is theirs).
    assert exported["ballots"] == [
        {"poll": "Which talk first?", "voted_on": _at(5).date().isoformat()},
        {"poll": "Which days suit?", "voted_on": _at(8).date().isoformat()},
        {"poll": "How good were the talks?", "voted_on": _at(9).date().isoformat()},
    ]
    # Their own position only (Otto's agreement is his).
    assert exported["positions"] == [
        {
            "proposal": "Notes in public",
            "position": "block",
            "reason": "Names.",
            "stated_at": _iso(10),
        }
    ]
    assert [x for x in ("Mutual aid", "Housing", "Friday", "Wednesday") if x in raw] == []
    # Nothing of Otto's: his proposal's text, his choices, who supports his proposal.
    assert "Otto wrote this." not in raw and "Data trusts" not in raw
    assert "otto@" not in raw


def test_export_of_the_other_member_has_only_theirs(other, deciding):
    exported, raw = _export(other)
    assert [p["title"] for p in exported["proposals"]] == ["Otto's idea"]
    assert [s["proposal"] for s in exported["supports"]] == ["Bike lanes"]
    assert [b["poll"] for b in exported["ballots"]] == ["Which talk first?", "Which days suit?"]
    assert "Data trusts" not in raw and "Wednesday" not in raw
    assert [x for x in ("Mutual aid", "Friday", "grace@example.org", NAME) if x in raw] == []


def test_export_rows_have_exactly_the_keys_the_sections_describe(member, deciding):
    exported, _raw = _export(member)
    for section in data.SECTIONS:
        rows = exported[section.key]
        assert rows != [], section.key
        for row in rows:
            assert sorted(row) == sorted(item.key for item in section.items), section.key


def test_export_without_decisions_has_empty_sections(member):
    exported, _raw = _export(member)
    assert {section.key: exported[section.key] for section in data.SECTIONS} == {
        "proposals": [],
        "supports": [],
        "ballots": [],
        "positions": [],
    }


def test_export_readme_lists_every_key_of_the_new_sections(member):
    archive = zipfile.ZipFile(io.BytesIO(member_services.member_export(member=member)))
    readme = archive.read("README.txt").decode()
    for section in data.SECTIONS:
        assert f"== {section.key}: {section.title} ==" in readme
        for item in section.items:
            assert f"  {item.key}: {item.label}. {item.meaning}" in readme


# --- The privacy page --------------------------------------------------------------------------


def test_privacy_page_lists_the_new_sections(client):
    page = client.get("/privacy/").content.decode()
    flat = " ".join(page.split())
    assert [s.key for s in data.SECTIONS] == ["proposals", "supports", "ballots", "positions"]
    for section in data.SECTIONS:
        assert f">{escape(section.title)}</h2>" in page
        assert " ".join(escape(section.why).split()) in flat
        for item in section.items:
            assert f"<dt>{escape(item.label)}</dt><dd>{escape(item.meaning)}</dd>" in page
        for rule in section.rules:
            assert str(escape(rule.audience.label)) in flat, rule.key


# --- Deleting the account ----------------------------------------------------------------------


def _delete_account(client, member, password, writing_choice):
    client.force_login(member)
    response = client.post("/me/delete/", {"password": password, "writing": writing_choice})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()


def _common_after_deletion(deciding, other, organizer):
    """Whatever the member chose: their support is gone and uncounted, their ballots stay in
    the count, nobody's, and the others' rows are untouched."""
    ottos = Proposal.objects.get(pk=deciding["ottos"].pk)
    assert list(Support.objects.filter(proposal=ottos).values_list("member", flat=True)) == [
        organizer.pk
    ]
    assert ottos.support_count == 1
    for poll, mine, theirs in (
        (deciding["ranked"], ["Mutual aid", "Housing"], ["Data trusts"]),
        (deciding["approval"], ["Friday", "Monday"], ["Monday", "Wednesday"]),
    ):
        labels = dict(poll.options.values_list("pk", "label"))
        ballots = sorted([labels[pk] for pk in b.choices] for b in poll.ballots.all())
        assert ballots == sorted([mine, theirs])
        assert sorted(poll.roll.values_list("member", flat=True), key=str) == sorted(
            [None, other.pk], key=str
        )
    assert services.poll_results(poll=deciding["ranked"]).ballots == 2


def test_delete_account_deleting_proposals(client, member, other, organizer, password, deciding):
    _delete_account(client, member, password, "delete")
    _common_after_deletion(deciding, other, organizer)
    assert list(Proposal.objects.values_list("title", flat=True)) == ["Otto's idea"]
    # Otto's support went with the proposal it was for.
    assert list(Support.objects.values_list("member", flat=True)) == [organizer.pk]
    client.force_login(other)
    assert client.get(deciding["topic"].get_absolute_url()).status_code == 404
    listing = client.get(reverse("decisions:proposals"), {"status": ""}).content.decode()
    assert "Bike lanes" not in listing and NAME not in listing


def test_delete_account_keeping_proposals(client, member, other, organizer, password, deciding):
    _delete_account(client, member, password, "keep")
    _common_after_deletion(deciding, other, organizer)
    kept = Proposal.objects.filter(author__isnull=True).order_by("created_at")
    assert list(kept.values_list("title", "contact", "support_count")) == [
        ("Bike lanes", "", 1),
        ("Invite Grace", "grace@example.org", 0),
        ("Knitting corner", "", 0),
    ]
    # Otto still supports the proposal that stays.
    assert Support.objects.filter(proposal=deciding["topic"], member=other).exists()
    client.force_login(other)
    page = client.get(deciding["topic"].get_absolute_url()).content.decode()
    assert "proposed by a former member" in page
    assert "Safer <em>streets</em>." in page
    listing = client.get(reverse("decisions:proposals")).content.decode()
    assert "Bike lanes" in listing and "a former member" in listing
    assert [page for page in (page, listing) if NAME in page] == []


@pytest.mark.parametrize("writing", ["delete", "keep"])
def test_delete_account_leaves_no_name_on_the_event_a_proposal_became(
    client, member, other, organizer, password, deciding, writing
):
    """The organizers turned the member's proposal into an event and published it as drafted;
    once the account is deleted its page names them no more (credited to "a former member"
    when the proposal is kept)."""
    event = services.proposal_to_event(proposal=deciding["topic"], by=organizer)
    event.status = EventStatus.PUBLISHED
    event.save()
    data_changed()
    client.force_login(other)
    assert "proposal</a> by Zelda Quartzfeld." in client.get(event.get_absolute_url()).text
    _delete_account(client, member, password, writing)
    client.force_login(other)
    page = client.get(event.get_absolute_url()).content.decode()
    assert event.title in page
    assert NAME not in page
    assert ("proposal</a> by a former member." in page) == (writing == "keep")
