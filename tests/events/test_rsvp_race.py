"""Seats under concurrency, on PostgreSQL: many members at once, never more than fit."""

import random
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from events import services
from events.models import RSVP, Event, RSVPStatus
from groups.models import Membership
from tests.concurrency import run_together
from tests.factories import EventFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrency tests need PostgreSQL's row locks; SQLite locks the whole database "
            "(set DATABASE_URL, as .ci/run does)"
        )


def _members(count: int, prefix: str) -> list:
    user_model = get_user_model()
    users = [
        user_model(email=f"{prefix}{i}@example.org", display_name=f"{prefix} {i}")
        for i in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    return user_model.objects.bulk_create(users)


def test_fifty_members_at_once_for_ten_seats(group):
    # Six rounds of fifty at once (twenty took 80 s of CI's 15 minutes on a 2-core machine).
    for round_number in range(6):
        event = EventFactory(capacity=10, starts_at=timezone.now() + timedelta(days=2))
        members = _members(50, f"r{round_number}m")
        errors = run_together(
            [lambda m=m, e=event: services.rsvp_set(event=e, member=m, going=True) for m in members]
        )
        assert errors == []
        rsvps = RSVP.objects.filter(event=event)
        assert rsvps.going().count() == 10
        assert rsvps.filter(status=RSVPStatus.WAITLISTED).count() == 40
        # Everyone queued in lock order; the first ten were seated, the rest keep their turn.
        assert list(rsvps.waitlisted().values_list("waitlist_seq", flat=True)) == list(
            range(11, 51)
        )
        assert services.seats_taken(event) == 10


def _snapshot(event_id: int) -> dict:
    event = Event.objects.get(pk=event_id)
    rsvps = list(RSVP.objects.filter(event_id=event_id).order_by("pk"))
    return {
        "capacity": event.capacity,
        "taken": sum(r.party_size for r in rsvps if r.status == RSVPStatus.GOING),
        "going": {r.member_id: r.guests for r in rsvps if r.status == RSVPStatus.GOING},
        "no_shows": {r.member_id for r in rsvps if r.no_show},
        "waitlist": [
            (r.member_id, r.party_size)
            for r in sorted(
                (r for r in rsvps if r.status == RSVPStatus.WAITLISTED),
                key=lambda r: r.waitlist_seq,
            )
        ],
    }


def _check_transition(before: dict, after: dict, op: tuple) -> None:
    kind, member_id = op[0], op[1]
    free = after["capacity"] - after["taken"]
    # No waitlisted party fits into the free seats.
    assert all(size > free for _, size in after["waitlist"]), (op, after)
    # Never more seats taken than capacity, except that lowering capacity keeps everyone.
    assert after["taken"] <= after["capacity"] or after["taken"] <= before["taken"], (op,)
    # Only members going are no-shows (and marking one moves no seat).
    assert after["no_shows"] <= set(after["going"]), (op, after["no_shows"])
    if kind == "no_show":
        assert (after["going"], after["waitlist"]) == (before["going"], before["waitlist"]), op
    # Nobody loses a seat they had, unless they gave it up themselves or a host moved them.
    for held in before["going"]:
        if not (kind in ("cancel", "move:waitlisted", "move:not_going") and held == member_id):
            assert held in after["going"], (op, held)
    # The waitlist is served strictly in order of joining: what remains keeps its order,
    # and a newcomer who was not seated is last.
    before_order = [m for m, _ in before["waitlist"]]
    after_order = [m for m, _ in after["waitlist"]]
    expected = [m for m in before_order if m in after_order]
    # ("guests" answers going too, so for someone not yet going it is a join.)
    # (A host's move to the waitlist joins the end of the line too.)
    newcomer = member_id in after_order and member_id not in before_order
    if kind in ("join", "guests", "move:waitlisted") and newcomer:
        expected.append(member_id)
    # A host adding someone to Going on a full event puts them first in line.
    if kind in ("add", "move:going") and member_id in after_order:
        expected = [member_id] + [m for m in expected if m != member_id]
    assert after_order == expected, (op, before_order, after_order)
    # Promotion order: a waitlisted party is skipped only when it does not fit.
    promoted = [m for m in before_order if m in after["going"]]
    still = [(m, s) for m, s in before["waitlist"] if m in after_order]
    if promoted and still:
        first_promoted_index = before_order.index(promoted[0])
        skipped = [s for m, s in still if before_order.index(m) < first_promoted_index]
        assert all(size > free for size in skipped), (op, skipped, free)


# What the mix may refuse: guests that do not fit, and host actions that change nothing or
# break a rule (already there, would be seated again at once, no-show of someone not going).
REFUSALS = {"no_seats_for_guests", "already", "would_be_seated", "not_going"}


def _host_operation(kind: str, event: Event, member, host, rng: random.Random) -> tuple:
    def rsvp():
        return RSVP.objects.filter(event=event, member=member).first()

    if kind == "add":
        return (
            "add",
            member.pk,
            lambda: services.rsvp_add(
                event=event, member=member, by=host, raise_capacity=rng.random() < 0.5
            ),
        )
    if kind == "no_show":

        def mark():
            if (target := rsvp()) is not None:
                services.rsvp_mark_no_show(rsvp=target, by=host, no_show=rng.random() < 0.7)

        return ("no_show", member.pk, mark)
    to = rng.choice([RSVPStatus.GOING, RSVPStatus.WAITLISTED, RSVPStatus.NOT_GOING])
    raise_capacity = rng.random() < 0.5

    def move():
        if (target := rsvp()) is not None:
            services.rsvp_move(rsvp=target, to=to, by=host, raise_capacity=raise_capacity)

    return (f"move:{to}", member.pk, move)


def _operation(event_id: int, rng: random.Random, members: list, raise_only: bool) -> tuple:
    member = rng.choice(members)
    kind = rng.choice(["join", "join", "cancel", "guests", "capacity", "add", "move", "no_show"])
    event = Event(pk=event_id)
    if kind in ("add", "move", "no_show"):
        return _host_operation(kind, event, member, members[0], rng)
    if kind == "join":
        return (
            "join",
            member.pk,
            lambda: services.rsvp_set(
                event=event, member=member, going=True, guests=rng.randint(0, 2)
            ),
        )
    if kind == "cancel":
        return ("cancel", member.pk, lambda: services.rsvp_cancel(event=event, member=member))
    if kind == "guests":
        return (
            "guests",
            member.pk,
            lambda: services.rsvp_set(
                event=event, member=member, going=True, guests=rng.randint(0, 2)
            ),
        )
    capacity = rng.randint(10, 18)

    def change():
        current = Event.objects.get(pk=event_id).capacity
        new = max(current, capacity) if raise_only else capacity
        services.event_set_capacity(event=event, capacity=new)

    return ("capacity", None, change)


@pytest.mark.parametrize("raise_only", [True, False], ids=["capacity-raised", "capacity-any"])
def test_random_concurrent_mix_keeps_the_invariants(group, raise_only):
    # Under way, with RSVPs open until the end, so that hosts can mark no-shows in the mix.
    now = timezone.now()
    event = EventFactory(
        capacity=8,
        max_guests=2,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        rsvp_closes_at=now + timedelta(hours=4),
    )
    members = _members(40, "mix-raise" if raise_only else "mix-any")
    Membership.objects.bulk_create(Membership(group=event.group, user=m) for m in members)
    clients, per_client = 20, 25  # 500 operations (1,000 took 33 s of CI's 15 minutes)
    completed = []
    lock = threading.Lock()

    def client(seed: int):
        rng = random.Random(seed)
        for _ in range(per_client):
            kind, member_id, action = _operation(event.pk, rng, members, raise_only)
            with transaction.atomic():
                # Hold the event's lock across the operation and both snapshots, so the
                # check sees exactly this operation's effect.
                Event.objects.select_for_update().get(pk=event.pk)
                before = _snapshot(event.pk)
                try:
                    action()
                except ValidationError as refused:
                    assert refused.code in REFUSALS, refused
                after = _snapshot(event.pk)
                _check_transition(before, after, (kind, member_id))
                if raise_only:
                    assert after["taken"] <= after["capacity"]
            with lock:
                completed.append(kind)

    errors = run_together([lambda s=seed: client(s) for seed in range(clients)])
    assert errors == []
    assert len(completed) == clients * per_client == 500
    final = _snapshot(event.pk)
    assert all(size > final["capacity"] - final["taken"] for _, size in final["waitlist"])
