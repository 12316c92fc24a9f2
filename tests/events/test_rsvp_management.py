"""Hosts manage RSVPs by the member rules: add, move, no-shows, hosts; attendance history."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import RSVP, Event, RSVPStatus, attendance_annotations
from groups.models import Membership
from members.services import member_delete
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.outbox import set_up_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Runs what the change queued for after its commit (the emails) and returns them. What
    the set-up queued (without a commit of its own) leaves first, as its commits would have
    sent it."""

    def run(action):
        set_up_sent()
        with django_capture_on_commit_callbacks(execute=True):
            result = action()
        return result, [(m.to[0], m.subject) for m in mail.outbox]

    return run


@pytest.fixture
def event(group):
    return EventFactory(group=group, capacity=1, starts_at=timezone.now() + timedelta(days=2))


@pytest.fixture
def host(event):
    user = MembershipFactory(group=event.group, user=UserFactory(display_name="Ada")).user
    event.hosts.add(user)
    return user


def _member(event, name="M"):
    return MembershipFactory(group=event.group, user=UserFactory(display_name=name)).user


def _statuses(event) -> list[tuple[str, str]]:
    rsvps = RSVP.objects.filter(event=event).select_related("member")
    return sorted((r.member.display_name, r.status) for r in rsvps)


def _line(event) -> list[str]:
    return [r.member.display_name for r in RSVP.objects.filter(event=event).waitlisted()]


# --- Adding a member to Going ----------------------------------------------------------------


def test_add_seats_a_member_when_there_is_room(event, host, run_commits):
    bea = _member(event, "Bea")
    rsvp, sent = run_commits(lambda: services.rsvp_add(event=event, member=bea, by=host))
    assert (rsvp.status, rsvp.capacity_raised_by) == (RSVPStatus.GOING, 0)
    assert sent == [(bea.email, f"You're going: {event.title}")]
    assert mail.outbox[0].body.startswith(
        f"Hi Bea, Ada, a host, added you to the people going to {event.title}."
    )


def test_add_when_full_puts_them_first_on_the_waitlist(event, host, run_commits):
    services.rsvp_set(event=event, member=_member(event, "Ann"), going=True)
    services.rsvp_set(event=event, member=_member(event, "Cy"), going=True)
    bea = _member(event, "Bea")
    rsvp, sent = run_commits(lambda: services.rsvp_add(event=event, member=bea, by=host))
    assert rsvp.status == RSVPStatus.WAITLISTED
    assert _line(event) == ["Bea", "Cy"]
    assert Event.objects.get(pk=event.pk).capacity == 1
    assert sent == [(bea.email, f"You're on the waitlist: {event.title}")]
    assert f"Ada, a host, put you on the waitlist for {event.title}." in mail.outbox[0].body
    assert "You're #1 in line." in mail.outbox[0].body
    # A member joining afterwards still comes last.
    services.rsvp_set(event=event, member=_member(event, "Dee"), going=True)
    assert _line(event) == ["Bea", "Cy", "Dee"]


def test_add_when_full_can_raise_the_capacity(event, host, run_commits):
    services.rsvp_set(event=event, member=_member(event, "Ann"), going=True)
    services.rsvp_set(event=event, member=_member(event, "Cy"), going=True)
    bea = _member(event, "Bea")
    rsvp, sent = run_commits(
        lambda: services.rsvp_add(event=event, member=bea, by=host, raise_capacity=True)
    )
    assert (rsvp.status, rsvp.capacity_raised_by) == (RSVPStatus.GOING, 1)
    assert Event.objects.get(pk=event.pk).capacity == 2
    assert _line(event) == ["Cy"]
    assert sent == [(bea.email, f"You're going: {event.title}")]


def test_add_refuses_outsiders_and_members_going(event, host):
    with pytest.raises(ValidationError) as outsider:
        services.rsvp_add(event=event, member=UserFactory(), by=host)
    bea = _member(event, "Bea")
    services.rsvp_add(event=event, member=bea, by=host)
    with pytest.raises(ValidationError) as again:
        services.rsvp_add(event=event, member=bea, by=host)
    assert (outsider.value.code, again.value.code) == ("not_member", "already")


# --- Moving between Going, Waitlist and Not going --------------------------------------------


def test_move_out_of_going_promotes_the_waitlist(event, host, run_commits):
    ann, cy = _member(event, "Ann"), _member(event, "Cy")
    going = services.rsvp_set(event=event, member=ann, going=True)
    services.rsvp_set(event=event, member=cy, going=True)
    rsvp, sent = run_commits(
        lambda: services.rsvp_move(rsvp=going, to=RSVPStatus.NOT_GOING, by=host)
    )
    assert _statuses(event) == [("Ann", RSVPStatus.NOT_GOING), ("Cy", RSVPStatus.GOING)]
    assert sorted(sent) == sorted(
        [
            (ann.email, f"Your RSVP changed to not going: {event.title}"),
            (cy.email, f"A seat opened up: you're going to {event.title}"),
        ]
    )
    # A host's move is not the member's own cancellation.
    assert RSVP.objects.get(pk=rsvp.pk).cancelled_at is None


def test_move_to_the_waitlist_goes_last_and_the_line_moves_up(event, host, run_commits):
    ann, cy = _member(event, "Ann"), _member(event, "Cy")
    going = services.rsvp_set(event=event, member=ann, going=True)
    services.rsvp_set(event=event, member=cy, going=True)
    _rsvp, sent = run_commits(
        lambda: services.rsvp_move(rsvp=going, to=RSVPStatus.WAITLISTED, by=host)
    )
    assert _statuses(event) == [("Ann", RSVPStatus.WAITLISTED), ("Cy", RSVPStatus.GOING)]
    assert sorted(sent) == sorted(
        [
            (ann.email, f"You're on the waitlist: {event.title}"),
            (cy.email, f"A seat opened up: you're going to {event.title}"),
        ]
    )


def test_move_to_the_waitlist_refused_when_a_seat_is_free(event, host):
    going = services.rsvp_set(event=event, member=_member(event, "Ann"), going=True)
    Event.objects.filter(pk=event.pk).update(capacity=3)
    with pytest.raises(ValidationError) as refused:
        services.rsvp_move(rsvp=going, to=RSVPStatus.WAITLISTED, by=host)
    assert refused.value.code == "would_be_seated"
    assert _statuses(event) == [("Ann", RSVPStatus.GOING)]


def test_move_a_waitlisted_member_into_going(event, host, run_commits):
    services.rsvp_set(event=event, member=_member(event, "Ann"), going=True)
    waiting = services.rsvp_set(event=event, member=_member(event, "Cy"), going=True)
    services.rsvp_set(event=event, member=_member(event, "Dee"), going=True)
    moved = services.rsvp_move(rsvp=waiting, to=RSVPStatus.GOING, by=host, raise_capacity=True)
    assert (moved.status, moved.capacity_raised_by) == (RSVPStatus.GOING, 1)
    assert _line(event) == ["Dee"]


def test_moves_refused_once_the_event_has_ended(group, host):
    past = EventFactory(group=group, starts_at=timezone.now() - timedelta(days=1))
    rsvp = RSVP.objects.create(event=past, member=host, status=RSVPStatus.GOING)
    with pytest.raises(ValidationError) as refused:
        services.rsvp_move(rsvp=rsvp, to=RSVPStatus.NOT_GOING, by=host)
    assert refused.value.code == "ended"


# --- No-shows --------------------------------------------------------------------------------


@pytest.fixture
def started(group):
    return EventFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))


def test_no_show_refused_before_the_start(event, host):
    rsvp = services.rsvp_set(event=event, member=_member(event), going=True)
    with pytest.raises(ValidationError) as refused:
        services.rsvp_mark_no_show(rsvp=rsvp, by=host)
    assert refused.value.code == "not_started"
    assert RSVP.objects.get(pk=rsvp.pk).no_show is False


def test_no_show_marked_after_the_start_and_cleared_by_a_check_in(started, host):
    rsvp = RSVP.objects.create(event=started, member=_member(started), status=RSVPStatus.GOING)
    assert services.rsvp_mark_no_show(rsvp=rsvp, by=host).no_show is True
    services.rsvp_set_checked_in(rsvp=rsvp, checked_in=True)
    assert RSVP.objects.values_list("no_show", flat=True).get(pk=rsvp.pk) is False
    with pytest.raises(ValidationError) as refused:
        services.rsvp_mark_no_show(rsvp=rsvp, by=host)
    assert refused.value.code == "checked_in"


def test_no_show_only_for_members_going(started, host):
    rsvp = RSVP.objects.create(event=started, member=_member(started), status="not_going")
    with pytest.raises(ValidationError) as refused:
        services.rsvp_mark_no_show(rsvp=rsvp, by=host)
    assert refused.value.code == "not_going"


# --- Hosts -----------------------------------------------------------------------------------


def test_set_hosts_members_only(event, organizer):
    bea = _member(event, "Bea")
    with pytest.raises(ValidationError) as refused:
        services.event_set_hosts(
            event=event, hosts=[bea, UserFactory(display_name="Out")], by=organizer
        )
    assert refused.value.messages == ["Out is not a member of the group, so cannot host."]
    services.event_set_hosts(event=event, hosts=[bea], by=organizer)
    assert list(event.hosts.all()) == [bea]


# --- The host page ---------------------------------------------------------------------------


def _url(event):
    return f"/events/{event.slug}/attendees/"


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_page_refused_to_members_and_hosts_of_another_event(client, event, host):
    other = EventFactory(group=event.group, starts_at=timezone.now() + timedelta(days=3))
    client.force_login(host)
    assert client.get(_url(other)).status_code == 403
    assert client.post(_url(other), {"action": "add"}).status_code == 403
    client.force_login(_member(event))
    assert client.get(_url(event)).status_code == 403
    assert client.get(_url(event)).status_code == 403


def test_host_adds_moves_and_sees_answers(client, event, host):
    event.rsvp_question = "What brings you?"
    event.save()
    ann = _member(event, "Ann")
    services.rsvp_set(event=event, member=ann, going=True, answer="Curiosity")
    bea = _member(event, "Bea")
    client.force_login(host)
    page = client.get(_url(event))
    assert page.status_code == 200
    assert "Curiosity" in page.content.decode()
    assert [label for _value, label in page.context["add_form"].fields["member"].choices] == [
        "Choose a member",
        "Ada",
        "Bea",
    ]
    response = client.post(_url(event), {"action": "add", "member": bea.pk, "when_full": "raise"})
    assert response.status_code == 302
    assert _messages(response) == [
        "Bea is going now and gets an email about it. The capacity was raised by 1 seat, to 2, "
        "to make room."
    ]
    rsvp = RSVP.objects.get(event=event, member=ann)
    response = client.post(_url(event), {"action": "move", "rsvp": rsvp.pk, "to": "not_going"})
    assert response["Location"] == f"{_url(event)}#rsvp-{rsvp.pk}"
    assert _statuses(event) == [("Ann", RSVPStatus.NOT_GOING), ("Bea", RSVPStatus.GOING)]
    response = client.post(_url(event), {"action": "no_show", "rsvp": rsvp.pk, "no_show": "yes"})
    # Messages not yet shown pile up (the redirects are not followed here).
    assert _messages(response)[1:] == [
        "Ann is not going now and gets an email about it.",
        "No-shows can be marked once the event has started.",
    ]


def test_add_form_errors_shown_on_the_page(client, event, host):
    client.force_login(host)
    response = client.post(_url(event), {"action": "add", "when_full": "waitlist"})
    assert response.status_code == 400
    assert response.context["add_form"].errors == {"member": ["This field is required."]}


def test_only_organizers_name_hosts(client, event, host, organizer):
    bea = _member(event, "Bea")
    client.force_login(host)
    assert client.get(_url(event)).context["hosts_form"] is None
    assert client.post(_url(event), {"action": "hosts", "hosts": [bea.pk]}).status_code == 400
    client.force_login(organizer)
    response = client.post(_url(event), {"action": "hosts", "hosts": [bea.pk, host.pk]})
    assert response.status_code == 302
    assert sorted(event.hosts.values_list("display_name", flat=True)) == ["Ada", "Bea"]


def test_event_page_links_hosts_to_the_attendee_page(client, event, host):
    client.force_login(host)
    assert _url(event) in client.get(event.get_absolute_url()).content.decode()
    client.force_login(_member(event))
    assert _url(event) not in client.get(event.get_absolute_url()).content.decode()


# --- Attendance history ----------------------------------------------------------------------


def test_attendance_counts(group, run_commits):
    now = timezone.now()
    bea = MembershipFactory(group=group).user
    zero = {"rsvped": 0, "attended": 0, "no_shows": 0, "late_cancellations": 0}

    def past(days, **fields):
        event = EventFactory(group=group, starts_at=now - timedelta(days=days))
        return RSVP.objects.create(event=event, member=bea, **fields)

    past(10, status=RSVPStatus.GOING, checked_in_at=now - timedelta(days=10))
    past(9, status=RSVPStatus.GOING, no_show=True)
    past(8, status=RSVPStatus.NOT_GOING, cancelled_at=now - timedelta(days=8, hours=3))  # late
    past(7, status=RSVPStatus.NOT_GOING, cancelled_at=now - timedelta(days=9))  # in time
    past(6, status=RSVPStatus.NOT_GOING)  # never said yes
    # A member's own cancellation is recorded when it happens.
    soon = EventFactory(group=group, starts_at=now + timedelta(hours=5))
    services.rsvp_set(event=soon, member=bea, going=True)
    services.rsvp_cancel(event=soon, member=bea)
    expected = {"rsvped": 5, "attended": 1, "no_shows": 1, "late_cancellations": 2}
    assert RSVP.objects.attendance_for(bea) == expected
    other = MembershipFactory(group=group).user
    assert RSVP.objects.attendance_by_member([bea, other]) == {bea.pk: expected, other.pk: zero}
    rows = Membership.objects.filter(user=bea).annotate(**attendance_annotations("user"))
    assert rows.values(
        "attendance_rsvped",
        "attendance_attended",
        "attendance_no_shows",
        "attendance_late_cancellations",
    ).get() == {
        "attendance_rsvped": 5,
        "attendance_attended": 1,
        "attendance_no_shows": 1,
        "attendance_late_cancellations": 2,
    }
    # Answering going again takes the cancellation back.
    services.rsvp_set(event=soon, member=bea, going=True)
    assert RSVP.objects.attendance_for(bea)["late_cancellations"] == 1
    # Deleting the account keeps the history anonymously.
    member_delete(member=bea)
    assert RSVP.objects.filter(member=None).attendance_counts() == {
        "rsvped": 4,
        "attended": 1,
        "no_shows": 1,
        "late_cancellations": 1,
    }


def test_no_show_notes_go_once_per_threshold(group, run_commits):
    bea, cy = MembershipFactory(group=group).user, MembershipFactory(group=group).user

    def no_show(member, days):
        event = EventFactory(
            group=group, title=f"Evening {days}", starts_at=timezone.now() - timedelta(days=days)
        )
        return RSVP.objects.create(
            event=event, member=member, status=RSVPStatus.GOING, no_show=True
        )

    no_show(bea, 20)
    no_show(bea, 10)
    no_show(cy, 5)
    count, sent = run_commits(lambda: services.no_show_notes_send(group=group, threshold=2))
    assert (count, sent) == (1, [(bea.email, f"We missed you at {group.name}")])
    assert "we missed you at 2 events you said you were coming to." in mail.outbox[0].body
    assert "The most recent was Evening 10." in mail.outbox[0].body
    assert run_commits(lambda: services.no_show_notes_send(group=group, threshold=2)) == (0, [])
    no_show(bea, 3)
    assert run_commits(lambda: services.no_show_notes_send(group=group, threshold=2)) == (0, [])


# --- Wiring: the group's setting, removal, the admin and the export ---------------------------


def test_send_reminders_sends_no_show_notes_only_when_the_group_asks(group, run_commits):
    from django.core.management import call_command

    bea = MembershipFactory(group=group).user
    for days in (20, 10):
        event = EventFactory(group=group, starts_at=timezone.now() - timedelta(days=days))
        RSVP.objects.create(event=event, member=bea, status=RSVPStatus.GOING, no_show=True)
    assert run_commits(lambda: call_command("send_reminders", verbosity=0))[1] == []
    group.no_show_note_after = 2
    group.save()
    sent = run_commits(lambda: call_command("send_reminders", verbosity=0))[1]
    assert sent == [(bea.email, f"We missed you at {group.name}")]


def test_a_removed_or_banned_member_frees_their_seat_without_a_late_cancellation(
    event, run_commits, organizer
):
    from groups.services import membership_ban

    going, waiting = _member(event, "Going"), _member(event, "Waiting")
    services.rsvp_set(event=event, member=going, going=True)
    services.rsvp_set(event=event, member=waiting, going=True)
    assert _statuses(event) == [("Going", "going"), ("Waiting", "waitlisted")]
    run_commits(lambda: membership_ban(group=event.group, user=going, by=organizer))
    assert _statuses(event) == [("Going", "not_going"), ("Waiting", "going")]
    assert RSVP.objects.attendance_for(going)["late_cancellations"] == 0


def test_membership_admin_shows_attendance_and_the_export_has_it(client, event, organizer):
    import io
    import json
    import zipfile

    from members.services import member_export

    bea = _member(event, "Bea")
    started = EventFactory(group=event.group, starts_at=timezone.now() - timedelta(days=3))
    RSVP.objects.create(
        event=started, member=bea, status=RSVPStatus.GOING, checked_in_at=timezone.now()
    )
    client.force_login(organizer)
    page = client.get("/admin/groups/membership/")
    assert page.status_code == 200
    row = next(r for r in page.context["cl"].result_list if r.user_id == bea.pk)
    assert (row.attendance_rsvped, row.attendance_attended, row.attendance_no_shows) == (1, 1, 0)
    data = json.loads(zipfile.ZipFile(io.BytesIO(member_export(member=bea))).read("data.json"))
    assert data["attendance"] == {
        "rsvped": 1,
        "attended": 1,
        "no_shows": 0,
        "late_cancellations": 0,
    }
    assert [(r["no_show"], r["cancelled_at"]) for r in data["rsvps"]] == [(False, None)]
