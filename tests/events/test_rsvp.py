"""The seat rules: capacity, guests, a first-come waitlist, breakouts and check-in."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services
from events.models import RSVP, Breakout, RSVPStatus
from groups.models import Membership
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(group):
    return EventFactory(capacity=4, max_guests=2, starts_at=timezone.now() + timedelta(days=3))


def going(event, guests=0, member=None):
    member = member or UserFactory()
    return services.rsvp_set(event=event, member=member, going=True, guests=guests)


def state(event):
    """(member display names going, waitlisted in order) and the seats taken."""
    rsvps = RSVP.objects.filter(event=event).select_related("member")
    return (
        sorted(r.member.display_name for r in rsvps.going()),
        [r.member.display_name for r in rsvps.waitlisted()],
        services.seats_taken(event),
    )


def assert_invariants(event):
    event.refresh_from_db()
    taken = services.seats_taken(event)
    if event.capacity is not None:
        free = event.capacity - taken
        sizes = [r.party_size for r in RSVP.objects.filter(event=event).waitlisted()]
        assert all(size > free for size in sizes), (free, sizes)


def test_going_until_full_then_waitlisted(event):
    a = going(event, guests=2)
    b = going(event)
    c = going(event, guests=1)
    assert (a.status, b.status, c.status) == ("going", "going", "waitlisted")
    assert services.seats_taken(event) == 4
    assert c.waitlisted_at is not None
    assert_invariants(event)


def test_rsvp_makes_the_member_a_member_of_the_group(event):
    member = UserFactory()
    assert not Membership.objects.filter(user=member).exists()
    going(event, member=member)
    assert Membership.objects.get(user=member).role == "member"


def test_cancel_promotes_in_order_of_joining(event):
    a = going(event, guests=2)
    going(event)
    first = going(event)  # waitlisted first
    second = going(event)
    assert [first.status, second.status] == ["waitlisted", "waitlisted"]
    services.rsvp_cancel(event=event, member=a.member)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("going", "going")
    assert first.waitlist_seq is None
    assert_invariants(event)


def test_party_that_does_not_fit_keeps_its_place(event):
    a = going(event, guests=2)  # 3 seats
    going(event)  # 4 seats: full
    big = going(event, guests=2)  # needs 3: waitlisted first
    small = going(event)  # needs 1: waitlisted second
    services.rsvp_set(event=event, member=a.member, going=True, guests=0)  # frees 2 seats
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.status, small.status) == ("waitlisted", "going")
    assert list(RSVP.objects.filter(event=event).waitlisted()) == [big]
    assert_invariants(event)


def test_newcomer_does_not_jump_a_waitlisted_party_that_fits(event):
    going(event, guests=2)
    going(event)
    waiting = going(event)
    # No seat is free: a newcomer queues behind.
    newcomer = going(event)
    assert list(RSVP.objects.filter(event=event).waitlisted()) == [waiting, newcomer]


def test_raising_guests_without_free_seats_fails_and_changes_nothing(event):
    a = going(event, guests=1)
    going(event, guests=1)
    with pytest.raises(ValidationError) as error:
        services.rsvp_set(event=event, member=a.member, going=True, guests=2)
    assert error.value.messages == ["There is no seat for 1 more guest: 0 free."]
    a.refresh_from_db()
    assert (a.status, a.guests) == ("going", 1)


def test_more_guests_than_allowed_is_refused(event):
    with pytest.raises(ValidationError) as error:
        going(event, guests=3)
    assert error.value.messages == ["You can bring at most 2 guests to this event."]
    assert not RSVP.objects.exists()


def test_raising_capacity_promotes_lowering_never_removes(event):
    going(event, guests=2)
    going(event)
    w = going(event, guests=1)
    services.event_set_capacity(event=event, capacity=2)
    assert state(event)[2] == 4  # nobody removed
    w.refresh_from_db()
    assert w.status == "waitlisted"
    services.event_set_capacity(event=event, capacity=6)
    w.refresh_from_db()
    assert w.status == "going"
    assert_invariants(event)


def test_unlimited_capacity_never_waitlists(group):
    event = EventFactory(capacity=None, max_guests=5)
    results = {going(event, guests=5).status for _ in range(20)}
    assert results == {"going"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "draft"}, "This event is not open for RSVPs."),
        ({"status": "cancelled"}, "This event has been cancelled."),
        ({"starts_at_days": -3}, "This event has ended."),
        ({"opens_in_days": 1}, "RSVPs for this event are closed."),
        ({"closed_days_ago": 1}, "RSVPs for this event are closed."),
        ({"starts_at_days": 0}, "RSVPs for this event are closed."),  # under way
    ],
)
def test_rsvp_refused_outside_its_window(group, changes, message):
    now = timezone.now()
    starts_at = now + timedelta(days=changes.get("starts_at_days", 3))
    if changes.get("starts_at_days") == 0:
        starts_at = now - timedelta(minutes=30)
    event = EventFactory(
        status=changes.get("status", "published"),
        starts_at=starts_at,
        rsvp_opens_at=now + timedelta(days=changes["opens_in_days"])
        if "opens_in_days" in changes
        else None,
        rsvp_closes_at=now - timedelta(days=changes["closed_days_ago"])
        if "closed_days_ago" in changes
        else None,
    )
    with pytest.raises(ValidationError) as error:
        going(event)
    assert error.value.messages == [message]
    assert not RSVP.objects.exists()


def test_one_rsvp_per_member_per_event(event):
    member = UserFactory()
    going(event, member=member)
    services.rsvp_cancel(event=event, member=member)
    going(event, member=member)
    assert RSVP.objects.filter(event=event, member=member).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.create(event=event, member=member, status=RSVPStatus.NOT_GOING)


def test_answer_is_kept(event):
    event.rsvp_question = "What would you like to discuss?"
    event.save()
    rsvp = services.rsvp_set(event=event, member=UserFactory(), going=True, answer="Data trusts")
    assert rsvp.answer == "Data trusts"


def test_breakout_choice_respects_capacity(event):
    event.capacity = None
    event.save()
    small = Breakout.objects.create(event=event, topic="Small", capacity=1)
    big = Breakout.objects.create(event=event, topic="Big")
    a, b = going(event), going(event)
    services.rsvp_choose_breakout(event=event, member=a.member, breakout=small)
    with pytest.raises(ValidationError) as error:
        services.rsvp_choose_breakout(event=event, member=b.member, breakout=small)
    assert error.value.messages == ["“Small” is full. Please choose another discussion."]
    services.rsvp_choose_breakout(event=event, member=b.member, breakout=big)
    # Changing one's mind frees the place.
    services.rsvp_choose_breakout(event=event, member=a.member, breakout=big)
    services.rsvp_choose_breakout(event=event, member=b.member, breakout=small)
    assert sorted(RSVP.objects.values_list("member__display_name", "breakout__topic")) == sorted(
        [(a.member.display_name, "Big"), (b.member.display_name, "Small")]
    )


def test_breakout_needs_going_and_is_cleared_on_cancel(event):
    topic = Breakout.objects.create(event=event, topic="T")
    member = UserFactory()
    with pytest.raises(ValidationError):
        services.rsvp_choose_breakout(event=event, member=member, breakout=topic)
    going(event, member=member)
    services.rsvp_choose_breakout(event=event, member=member, breakout=topic)
    services.rsvp_cancel(event=event, member=member)
    assert RSVP.objects.get(member=member).breakout is None


def test_manual_promotion_raises_capacity(event):
    going(event, guests=2)
    going(event)
    waiting = going(event, guests=2)
    event = services.rsvp_promote(rsvp=waiting)
    waiting.refresh_from_db()
    assert (waiting.status, event.capacity, services.seats_taken(event)) == ("going", 7, 7)


def test_check_in_only_for_going(event):
    member_going = going(event)
    services.rsvp_set_checked_in(rsvp=member_going, checked_in=True)
    assert RSVP.objects.get(pk=member_going.pk).checked_in_at is not None
    not_going = services.rsvp_cancel(event=event, member=UserFactory())
    with pytest.raises(ValidationError):
        services.rsvp_set_checked_in(rsvp=not_going, checked_in=True)


def _hooks(callbacks) -> int:
    """How many of the on-commit callbacks are the RSVP notification hook."""
    return sum(getattr(c, "func", None) is services.rsvp_changes_committed for c in callbacks)


def test_changes_reach_the_after_commit_hook(event, django_capture_on_commit_callbacks, caplog):
    going(event, guests=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, caplog.at_level("INFO"):
        seated = going(event)
    assert _hooks(callbacks) == 1
    assert [r.getMessage() for r in caplog.records if r.name == "events.services"] == [
        f"rsvp {seated.pk} is now going (answered)"
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        waiting = going(event)
    assert _hooks(callbacks) == 1
    caplog.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, caplog.at_level("INFO"):
        services.event_set_capacity(event=event, capacity=5)
    assert [r.getMessage() for r in caplog.records if r.name == "events.services"] == [
        f"rsvp {waiting.pk} is now going (promoted)"
    ]


def test_database_refuses_guests_for_a_waitlisted_place_without_seq(event):
    rsvp = going(event)
    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.filter(pk=rsvp.pk).update(status=RSVPStatus.WAITLISTED)
