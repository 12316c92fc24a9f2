"""The roll and the box, read raw: nothing in the stored data links a voter to a ballot; who may
vote is fixed when the poll opens (members, people going, or members who attended k of the
last n evenings); receipts, emailed on request.

The PostgreSQL test reads the two tables as a dump would (every column, in every order, and in
the order the rows are stored) after 30 members voted distinct ballots in a known order.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils.html import escape

from core.models import Email
from decisions import data, secrecy, services
from decisions.models import BallotBox, Eligible, VoterRoll, Voters
from events.models import RSVP, EventStatus, RSVPStatus
from groups.models import MembershipStatus
from tests.factories import EventFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(microsecond=0)  # pages read with the real clock
LABELS = ["Library", "Café", "Park", "Garden", "Hall"]


def _open(group, by, **more):
    fields = {
        "question": "Where next?",
        "options": LABELS,
        "method": "ranked",
        "opens_at": NOW - timedelta(hours=1),
        "closes_at": NOW + timedelta(days=2),
        "now": NOW,
        **more,
    }
    return services.poll_open(group=group, by=by, **fields)


# --- What the tables hold, said in one place -----------------------------------------------------


def test_stored_names_every_column_of_the_roll_the_box_and_the_eligible():
    for model in (VoterRoll, BallotBox, Eligible):
        columns = [f.name for f in model._meta.concrete_fields]
        assert sorted(columns) == sorted(secrecy.STORED[model._meta.model_name]), model


def test_the_box_has_no_time_no_account_and_a_random_key():
    fields = {f.name: f for f in BallotBox._meta.concrete_fields}
    assert sorted(fields) == ["choices", "id", "poll", "receipt_hash"]
    assert fields["id"].get_internal_type() == "UUIDField"
    assert [f.name for f in fields.values() if f.is_relation] == ["poll"]
    assert not [f for f in fields.values() if "Date" in f.get_internal_type()]
    # The roll keeps a day, never a time.
    assert VoterRoll._meta.get_field("voted_on").get_internal_type() == "DateField"


def test_no_chain_of_foreign_keys_leads_from_a_ballot_to_its_voter():
    """Must hold (issue 27): from a row of the box, the only key is its poll, shared by every
    ballot of that poll; and no table points at a ballot, so no chain of keys, in either
    direction, reaches a row that is one voter's (the roll, an account, a membership)."""
    from django.apps import apps

    pointing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is BallotBox
    ]
    assert pointing == []
    assert [f.name for f in BallotBox._meta.get_fields() if f.is_relation] == ["poll"]
    # The roll's rows name voters; nothing about them is keyed to the box either.
    assert not [f for f in VoterRoll._meta.get_fields() if f.related_model is BallotBox]


def test_the_privacy_page_and_the_poll_page_say_the_same(client, group, organizer, member):
    privacy = client.get("/privacy/").content.decode()
    poll = _open(group, organizer)
    client.force_login(member)
    page = client.get(poll.get_absolute_url()).content.decode()
    lines = [escape(str(x)) for x in (*secrecy.SERVER_KNOWS, *secrecy.SERVER_CANNOT_KNOW)]
    assert len(lines) == 7
    assert [x for x in lines if x not in privacy] == []
    assert [x for x in lines if x not in page] == []
    for table in ("voterroll", "ballotbox"):
        assert [
            x for x in (escape(str(x)) for x in secrecy.stored_lines(table)) if x not in privacy
        ] == []
    (ballots,) = [s for s in data.SECTIONS if s.key == "ballots"]
    assert [h for h, _lines in ballots.notes if escape(str(h)) not in privacy] == []


# --- Unlinkable, read raw (PostgreSQL) -----------------------------------------------------------


def _ballots_30(options) -> list[list[int]]:
    """30 different ranked ballots: two of five options in every order (20), then three."""
    keys = [o.pk for o in options]
    pairs = [[a, b] for a in keys for b in keys if a != b]
    triples = [[a, b, c] for a in keys for b in keys for c in keys if len({a, b, c}) == 3]
    return (pairs + triples)[:30]


@pytest.mark.postgres
def test_a_dump_of_the_two_tables_cannot_link_a_voter_to_a_ballot(group, organizer):
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's tables raw (set DATABASE_URL)")
    voters = [MembershipFactory(group=group).user for _ in range(30)]
    poll = _open(group, organizer)
    wanted = _ballots_30(list(poll.options.all()))
    assert len({tuple(b) for b in wanted}) == 30
    for voter, choices in zip(voters, wanted, strict=True):
        services.ballot_cast(poll=poll, member=voter, choices=choices, now=NOW)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'decisions_ballotbox' ORDER BY column_name"
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint "
            "WHERE conrelid = 'decisions_ballotbox'::regclass AND contype = 'f'"
        )
        references = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT member_id, voted_on FROM decisions_voterroll WHERE poll_id = %s ORDER BY id",
            [poll.pk],
        )
        roll = cursor.fetchall()

        def box(order: str) -> list[list[int]]:
            cursor.execute(
                "SELECT choices::text FROM decisions_ballotbox WHERE poll_id = %s " + order,  # noqa: S608 - orders written below
                [poll.pk],
            )
            return [[int(x) for x in row[0].strip("[]").split(",")] for row in cursor.fetchall()]

        orders = {
            column: box(f"ORDER BY {column} {way}")
            for column in ("id", "choices", "receipt_hash", "poll_id, id")
            for way in ("ASC", "DESC")
        }
        stored = box("")  # as stored, the order a dump writes them in, before closing

    assert columns == [
        ("choices", "jsonb"),
        ("id", "uuid"),
        ("poll_id", "bigint"),
        ("receipt_hash", "character varying"),
    ]
    assert references == ["decisions_poll"]  # no account, no roll
    assert [member for member, _day in roll] == [v.pk for v in voters]
    assert {day for _member, day in roll} == {NOW.date()}  # a day, the same for everyone
    # The roll is in the order of the votes (its id); no ordering of the box follows it.
    for order, ballots in orders.items():
        assert sorted(ballots) == sorted(wanted), order
        assert ballots != wanted, order
        assert _in_place(ballots, wanted) < 10, order
    # Stored order: the rows are as written until the next mix (the poll page says the server
    # can know this); send_reminders mixes the boxes that changed, and closing mixes for good.
    assert stored == wanted
    cache.clear()
    assert services.ballot_boxes_mix_due(now=NOW) == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT choices::text FROM decisions_ballotbox WHERE poll_id = %s", [poll.pk]
        )
        mixed = [[int(x) for x in r[0].strip("[]").split(",")] for r in cursor.fetchall()]
    assert sorted(mixed) == sorted(wanted) and mixed != wanted
    assert _in_place(mixed, wanted) < 10
    assert services.ballot_boxes_mix_due(now=NOW) == 0  # nothing new since
    services.poll_close(poll=poll, by=organizer, now=NOW + timedelta(hours=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT choices::text FROM decisions_ballotbox WHERE poll_id = %s", [poll.pk]
        )
        mixed = [[int(x) for x in r[0].strip("[]").split(",")] for r in cursor.fetchall()]
    assert sorted(mixed) == sorted(wanted) and mixed != wanted
    assert _in_place(mixed, wanted) < 10
    assert services.poll_results(poll=poll).ballots == 30


def _in_place(found: list, cast: list) -> int:
    """How many ballots sit at the position of their vote (a random order: about 1 of 30;
    fewer than 10 by chance has a probability above 1 - 1e-6)."""
    return sum(a == b for a, b in zip(found, cast, strict=True))


# --- Who may vote: fixed when the poll opens -----------------------------------------------------


def test_eligibility_is_frozen_when_the_poll_opens(group, organizer, member):
    poll = _open(group, organizer)
    assert poll.eligible_count == 2  # the organizer and the member
    late = MembershipFactory(group=group).user  # joined after it opened
    assert not services.may_vote(poll, late)
    with pytest.raises(PermissionDenied) as error:
        services.ballot_cast(poll=poll, member=late, choices=[poll.options.first()], now=NOW)
    assert str(error.value) == (
        "You are not on this poll's roll of voters: it was fixed when the poll opened."
    )
    # Leaving takes one off the voters (the roll's count stays what it was at opening).
    member.memberships.filter(group=group).update(status=MembershipStatus.PENDING)
    assert not services.may_vote(poll, member)
    assert services.may_vote(poll, organizer)
    assert list(services.voter_ids(poll)) == [organizer.pk]
    client = Client()
    client.force_login(organizer)
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "2 eligible voters" in page


def _evening(group, days_ago: int, checked_in=(), going=()):
    event = EventFactory(
        group=group,
        status=EventStatus.PUBLISHED,
        starts_at=NOW - timedelta(days=days_ago),
        ends_at=NOW - timedelta(days=days_ago) + timedelta(hours=2),
    )
    for person in checked_in:
        RSVP.objects.create(event=event, member=person, status=RSVPStatus.GOING, checked_in_at=NOW)
    for person in going:
        RSVP.objects.create(event=event, member=person, status=RSVPStatus.GOING)
    return event


def test_members_who_attended_k_of_the_last_n_evenings(group, organizer):
    """Four evenings, a week apart; the roll is "at least 2 of the last 3". Counted by hand:
    Ada checked in at the last three (3), Ben at the last and the oldest (1 of the last 3),
    Cy at the two before the last (2), Di went to all but never checked in (0), Eve checked in
    at the two last but left the group (not a member)."""
    ada, ben, cy, di, eve = (MembershipFactory(group=group).user for _ in range(5))
    _evening(group, 28, checked_in=[ben, cy, di])  # the oldest: not among the last 3
    _evening(group, 21, checked_in=[ada, cy], going=[di])
    _evening(group, 14, checked_in=[ada, cy, eve], going=[di])
    _evening(group, 7, checked_in=[ada, ben, eve], going=[di])
    _evening(group, -7, checked_in=[ben])  # next week's: not yet an evening that happened
    eve.memberships.filter(group=group).update(status=MembershipStatus.PENDING)
    poll = _open(group, organizer, voters=Voters.REGULARS, attended_k=2, attended_n=3)
    assert (poll.attended_k, poll.attended_n, poll.eligible_count) == (2, 3, 2)
    assert sorted(services.voter_ids(poll)) == sorted([ada.pk, cy.pk])
    for person, allowed in ((ada, True), (cy, True), (ben, False), (di, False), (eve, False)):
        assert services.may_vote(poll, person) is allowed
    # Checking in later changes nothing: the roll was fixed at opening.
    RSVP.objects.filter(member=ben).update(checked_in_at=NOW)
    assert not services.may_vote(poll, ben)


@pytest.mark.parametrize(
    ("k", "n", "field", "message"),
    [
        (None, None, "attended_n", "Give a number of evenings from 1 to 52."),
        (1, 0, "attended_n", "Give a number of evenings from 1 to 52."),
        (1, 53, "attended_n", "Give a number of evenings from 1 to 52."),
        (0, 3, "attended_k", "Give a number from 1 to the number of evenings."),
        (4, 3, "attended_k", "Give a number from 1 to the number of evenings."),
    ],
)
def test_k_of_n_refused_out_of_range(group, organizer, k, n, field, message):
    with pytest.raises(ValidationError) as error:
        _open(group, organizer, voters=Voters.REGULARS, attended_k=k, attended_n=n)
    assert error.value.message_dict == {field: [message]}
    assert not group.polls.exists()


def test_the_poll_form_opens_a_k_of_n_poll(client, group, organizer):
    ada = MembershipFactory(group=group).user
    _evening(group, 7, checked_in=[ada])
    client.force_login(organizer)
    zone = group.zone
    now = datetime.now(UTC).astimezone(zone)
    form = {
        "question": "Which night?",
        "options": "Tuesday\nThursday",
        "method": "single",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "voters": "regulars",
        "attended_k": "1",
        "attended_n": "2",
    }
    response = client.post("/polls/new/", form)
    assert response.status_code == 302
    poll = group.polls.get()
    assert (poll.voters, poll.attended_k, poll.attended_n, poll.eligible_count) == (
        "regulars",
        1,
        2,
        1,
    )
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "for the members who attended at least 1 of the last 2 evenings" in page
    assert "1 eligible voter" in page
    response = client.post("/polls/new/", {**form, "attended_k": "3"})
    assert response.status_code == 400
    assert "Give a number from 1 to the number of evenings." in response.content.decode()


# --- Receipts: shown once, kept in the browser, emailed on request -------------------------------


def test_the_first_ballot_shows_its_receipt_once_and_a_change_needs_it(
    client, group, organizer, member
):
    poll = _open(group, organizer, method="single")
    tea = poll.options.first()
    client.force_login(member)
    response = client.post(poll.get_absolute_url(), {"choice": tea.pk})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    (receipt,) = re.findall(r'data-receipt-poll="\d+">([^<]+)<', response.content.decode())
    box = BallotBox.objects.get(poll=poll)
    assert box.receipt_hash == secrecy.receipt_hash(poll.pk, receipt)
    assert receipt not in str(list(BallotBox.objects.values())) + str(
        list(VoterRoll.objects.values())
    )
    page = client.get(poll.get_absolute_url()).content.decode()
    assert receipt not in page and "You voted: change your ballot with your receipt" in page
    assert f'data-receipt-for="{poll.pk}"' in page
    other = list(poll.options.all())[1]
    response = client.post(poll.get_absolute_url(), {"choice": other.pk})
    assert response.status_code == 400
    assert "give the receipt you got when you voted" in response.content.decode()
    response = client.post(poll.get_absolute_url(), {"choice": other.pk, "receipt": receipt})
    assert response.status_code == 302
    assert list(BallotBox.objects.values_list("choices", flat=True)) == [[other.pk]]


def test_email_me_my_receipt(client, group, organizer, member):
    poll = _open(group, organizer, method="single")
    cast = services.ballot_cast(poll=poll, member=member, choices=[poll.options.first()])
    client.force_login(organizer)  # has not voted: nothing is sent, whatever they give
    client.post(f"/polls/{poll.pk}/receipt/", {"receipt": cast.receipt})
    assert not Email.objects.filter(kind="poll_receipt").exists()
    client.force_login(member)
    client.post(f"/polls/{poll.pk}/receipt/", {"receipt": "made-up"})
    assert not Email.objects.filter(kind="poll_receipt").exists()
    response = client.post(f"/polls/{poll.pk}/receipt/", {"receipt": cast.receipt})
    assert response.status_code == 302
    (email,) = Email.objects.filter(kind="poll_receipt")
    assert (email.recipient_id, email.params) == (
        member.pk,
        {"poll_id": poll.pk, "receipt": cast.receipt},
    )


def test_voted_member_ids_are_the_roll_s_accounts(group, organizer, member):
    poll = _open(group, organizer, method="single")
    first = poll.options.first()
    for person in (member, organizer):
        services.ballot_cast(poll=poll, member=person, choices=[first], now=NOW)
    assert services.voted_member_ids(poll) == sorted([member.pk, organizer.pk])
    get_user_model().objects.filter(pk=member.pk).delete()
    assert services.voted_member_ids(poll) == [organizer.pk]
    assert poll.roll.count() == 2 and poll.ballots.count() == 2


def test_mixing_the_box_keeps_every_ballot_and_receipt(group, organizer, member):
    """send_reminders' mix: only boxes that gained ballots, the same rows (keys, choices,
    receipts) after it, so a receipt still changes its ballot."""
    third = MembershipFactory(group=group).user
    poll = _open(group, organizer, method="single")
    tea, coffee = list(poll.options.all())[:2]
    casts = {
        person: services.ballot_cast(poll=poll, member=person, choices=[tea], now=NOW)
        for person in (organizer, member)
    }
    rows = sorted(BallotBox.objects.values_list("id", "choices", "receipt_hash"))
    cache.clear()
    assert services.ballot_boxes_mix_due(now=NOW) == 1
    assert sorted(BallotBox.objects.values_list("id", "choices", "receipt_hash")) == rows
    assert services.ballot_boxes_mix_due(now=NOW) == 0
    services.ballot_cast(poll=poll, member=third, choices=[coffee], now=NOW)
    assert services.ballot_boxes_mix_due(now=NOW) == 1
    services.ballot_cast(
        poll=poll, member=member, choices=[coffee], receipt=casts[member].receipt, now=NOW
    )
    assert sorted(BallotBox.objects.values_list("choices", flat=True)) == [
        [tea.pk],
        [coffee.pk],
        [coffee.pk],
    ]
    assert services.ballot_boxes_mix_due(now=poll.closes_at) == 0  # closed: not "open"
