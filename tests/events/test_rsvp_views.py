"""The RSVP pages and forms: who may do what, what they see, and constant query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.generations import data_changed
from events import services
from events.models import RSVP, Breakout, RSVPStatus
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
    organizer_for,
)
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(group):
    return _event()


def _event():
    return EventFactory(
        capacity=3,
        max_guests=1,
        starts_at=timezone.now() + timedelta(days=3),
        is_online=True,
        online_url="https://meet.example/room-42",
        address_for_attendees_only=True,
        venue=VenueFactory(address="12 Secret Lane"),
        rsvp_question="What would you like to discuss?",
    )


@pytest.fixture
def member_a(group):
    return UserFactory()


@pytest.fixture
def member_b(group):
    return UserFactory()


@pytest.fixture
def host(event):
    """A member named host of this event by the organizers (and of nothing else)."""
    return _host(event)


def _host(event):
    user = MembershipFactory(group=event.group).user
    event.hosts.add(user)
    return user


ROLES = ["anonymous", "member_a", "member_b", "host", "other_host", "organizer"]


def _url(name, event):
    return {
        "rsvp": f"/events/{event.slug}/rsvp/",
        "join_and_go": f"/events/{event.slug}/join-and-go/",
        "breakout": f"/events/{event.slug}/breakout/",
        "check_in": f"/events/{event.slug}/check-in/",
        "message": f"/events/{event.slug}/message/",
        "mine": "/me/events/",
        "rsvp_admin": "/admin/events/rsvp/",
    }[name]


# (url, method) -> {role: status}. Member A is going; B has no RSVP; the host hosts this
# event, the other host another one; organizers run every event.
ALL = dict.fromkeys
ACCESS = {
    ("rsvp", "get"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("rsvp", "post"): {"anonymous": 302, **ALL(ROLES[1:], 302)},
    ("rsvp", "put"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    # Member B is no member yet: joins the open group and goes; members simply answer.
    ("join_and_go", "get"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("join_and_go", "post"): {"anonymous": 302, **ALL(ROLES[1:], 302)},
    ("join_and_go", "delete"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("breakout", "get"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("breakout", "post"): {
        "anonymous": 302,
        "member_a": 302,
        "member_b": 409,
        "host": 409,
        "other_host": 409,
        "organizer": 409,
    },
    ("check_in", "get"): {
        "anonymous": 302,
        "member_a": 403,
        "member_b": 403,
        "host": 200,
        "other_host": 403,
        "organizer": 200,
    },
    ("check_in", "post"): {
        "anonymous": 302,
        "member_a": 403,
        "member_b": 403,
        "host": 302,
        "other_host": 403,
        "organizer": 302,
    },
    ("check_in", "delete"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("message", "get"): {
        "anonymous": 302,
        "member_a": 403,
        "member_b": 403,
        "host": 200,
        "other_host": 403,
        "organizer": 200,
    },
    ("message", "post"): {
        "anonymous": 302,
        "member_a": 403,
        "member_b": 403,
        "host": 302,
        "other_host": 403,
        "organizer": 302,
    },
    ("message", "put"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("mine", "get"): {"anonymous": 302, **ALL(ROLES[1:], 200)},
    ("mine", "post"): {"anonymous": 302, **ALL(ROLES[1:], 405)},
    ("rsvp_admin", "get"): {
        "anonymous": 302,
        "member_a": 302,
        "member_b": 302,
        "host": 302,
        "other_host": 302,
        "organizer": 200,
    },
}
TABLE = [
    (url, method, role, expected)
    for (url, method), row in ACCESS.items()
    for role, expected in row.items()
]


def _build_access():
    group = GroupFactory()
    event = _event()
    member_a, member_b = UserFactory(), UserFactory()
    host = _host(event)
    organizer = organizer_for(group)
    rsvp_a = services.rsvp_set(event=event, member=member_a, going=True)
    breakout = Breakout.objects.create(event=event, topic="Topic")
    other_host = MembershipFactory(group=event.group).user
    EventFactory(group=event.group).hosts.add(other_host)
    users = {
        "member_a": member_a,
        "member_b": member_b,
        "host": host,
        "other_host": other_host,
        "organizer": organizer,
    }
    return {
        "event": event,
        "users": users,
        "rsvp_a": rsvp_a,
        "breakout": breakout,
        "sessions": _sessions(users),
    }


def _sessions(users) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys(users)


@pytest.fixture(scope="class")
def built_access(django_db_setup, django_db_blocker):
    """The event, its people (signed in), an RSVP and a breakout, built once for the table's rows
    (tests/worlds.py; class-scoped, so the other tests of the module do not see them)."""
    yield from built_once(django_db_blocker, _build_access)


class TestAccessTable:
    """The table's rows share what `built_access` made (the class bounds it); each row
    starts from it as built."""

    @pytest.mark.parametrize(("url", "method", "role", "expected"), TABLE)
    def test_rsvp_access(self, client, built_access, db, url, method, role, expected):
        o = fresh_copy(built_access)
        event, rsvp_a, breakout = o["event"], o["rsvp_a"], o["breakout"]
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = o["sessions"][role]
        data = {
            "rsvp": {"going": "yes", "guests": "0"},
            "join_and_go": {"going": "yes", "guests": "0"},
            "breakout": {"breakout": breakout.pk},
            "check_in": {"rsvp": rsvp_a.pk, "checked_in": "yes"},
            "message": {"subject": "Doors at 6:30", "body": "See you there."},
        }.get(url, {})
        response = getattr(client, method)(_url(url, event), data)
        assert response.status_code == expected
        if response.status_code == 302 and role == "anonymous":
            login = "/admin/login/" if url == "rsvp_admin" else "/accounts/login/"
            assert response["Location"].startswith(login)


def test_member_b_cannot_change_member_a_rsvp(client, event, member_a, member_b):
    services.rsvp_set(event=event, member=member_a, going=True, guests=1)
    client.force_login(member_b)
    client.post(_url("rsvp", event), {"going": "no"})
    assert RSVP.objects.get(member=member_a).status == RSVPStatus.GOING
    assert RSVP.objects.get(member=member_b).status == RSVPStatus.NOT_GOING


def test_going_shows_state_online_link_and_address(client, event, member_a):
    client.force_login(member_a)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "room-42" not in page and "12 Secret Lane" not in page
    response = client.post(
        _url("rsvp", event), {"going": "yes", "guests": "1", "answer": "Coops and data"}
    )
    assert response.status_code == 302
    page = client.get(event.get_absolute_url()).content.decode()
    assert "You're going with 1 guest." in page
    assert "https://meet.example/room-42" in page and "12 Secret Lane" in page
    assert RSVP.objects.get(member=member_a).answer == "Coops and data"


def test_waitlist_position_shown(client, event, member_a):
    for _ in range(3):
        services.rsvp_set(event=event, member=UserFactory(), going=True)
    services.rsvp_set(event=event, member=UserFactory(), going=True)  # #1 on the waitlist
    client.force_login(member_a)
    client.post(_url("rsvp", event), {"going": "yes"})
    page = client.get(event.get_absolute_url()).content.decode()
    assert "You're #2 on the waitlist." in page
    assert "room-42" not in page


def test_too_many_guests_error_next_to_the_field(client, event, member_a):
    client.force_login(member_a)
    response = client.post(_url("rsvp", event), {"going": "yes", "guests": "5"})
    assert response.status_code == 400
    assert response.context["rsvp_form"].errors == {
        "guests": ["Ensure this value is less than or equal to 1."]
    }
    assert 'id="id_guests_error"' in response.content.decode()
    assert not RSVP.objects.exists()


def test_no_seats_for_more_guests_error_next_to_the_field(client, event, member_a):
    services.rsvp_set(event=event, member=member_a, going=True)
    services.rsvp_set(event=event, member=UserFactory(), going=True, guests=1)
    client.force_login(member_a)
    response = client.post(_url("rsvp", event), {"going": "yes", "guests": "1"})
    assert response.status_code == 409
    assert response.context["rsvp_form"].errors == {
        "guests": ["There is no seat for 1 more guest: 0 free."]
    }
    assert RSVP.objects.get(member=member_a).guests == 0


def test_closed_event_explains_why(client, group, member_a):
    event = EventFactory(status="cancelled")
    client.force_login(member_a)
    response = client.post(_url("rsvp", event), {"going": "yes"})
    assert response.status_code == 409
    assert response.context["rsvp_form"].non_field_errors() == ["This event has been cancelled."]


def test_attendee_list_respects_privacy(client, event):
    shown = MembershipFactory(group=event.group, user__display_name="Visible Vera").user
    hidden = UserFactory(display_name="Private Pat", show_in_attendee_lists=False)
    for user in (shown, hidden):
        services.rsvp_set(event=event, member=user, going=True)
    client.force_login(shown)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Visible Vera" in page
    assert "Private Pat" not in page
    assert "and 1 more member who keeps their name private" in page


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_attendee_names_are_for_members_only(client, event, who):
    """Visitors, search engines and accounts that never joined see counts, not names."""
    services.rsvp_set(event=event, member=UserFactory(display_name="Visible Vera"), going=True)
    if who == "outsider":
        client.force_login(UserFactory())
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Visible Vera" not in page
    assert "Members of the group see who is going." in page
    assert "<strong>1</strong> member going" in " ".join(page.split())


def test_a_host_checks_in_and_messages_the_people_going(
    client, event, host, mailoutbox, django_capture_on_commit_callbacks
):
    vera = UserFactory(display_name="Vera")
    rsvp = services.rsvp_set(event=event, member=vera, going=True)
    client.force_login(host)
    assert "Door check-in" in client.get(event.get_absolute_url()).content.decode()
    client.post(_url("check_in", event), {"rsvp": rsvp.pk, "checked_in": "yes"})
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("message", event), {"subject": "Doors at 6:30", "body": "Hi!"})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox if "Doors at 6:30" in m.subject] == [[vera.email]]
    refused = client.post(_url("message", event), {"subject": "", "body": ""})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()


def test_breakout_signup_counts_and_choice(client, event, member_a):
    breakout = Breakout.objects.create(event=event, topic="Access to capital", capacity=2)
    services.rsvp_set(event=event, member=member_a, going=True)
    client.force_login(member_a)
    response = client.post(_url("breakout", event), {"breakout": breakout.pk})
    assert response.status_code == 302
    page = client.get(event.get_absolute_url()).content.decode()
    assert "1 of 2 places taken" in page


def test_check_in_page_search_and_toggle(client, event, organizer):
    ada = UserFactory(display_name="Ada Lovelace")
    bob = UserFactory(display_name="Bob Builder")
    rsvp_ada = services.rsvp_set(event=event, member=ada, going=True)
    services.rsvp_set(event=event, member=bob, going=True)
    client.force_login(organizer)
    response = client.get(_url("check_in", event) + "?q=ada")
    assert [r.member for r in response.context["rsvps"]] == [ada]
    client.post(_url("check_in", event), {"rsvp": rsvp_ada.pk, "checked_in": "yes", "q": "ada"})
    assert RSVP.objects.get(pk=rsvp_ada.pk).checked_in_at is not None
    response = client.get(_url("check_in", event))
    assert response.context["stats"]["checked_in"] == 1
    client.post(_url("check_in", event), {"rsvp": rsvp_ada.pk, "checked_in": "no"})
    assert RSVP.objects.get(pk=rsvp_ada.pk).checked_in_at is None


def test_my_events_lists_state_and_history(client, group, member_a):
    full = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=5))
    services.rsvp_set(event=full, member=UserFactory(), going=True)
    services.rsvp_set(event=full, member=member_a, going=True)
    soon = EventFactory(starts_at=timezone.now() + timedelta(days=2))
    services.rsvp_set(event=soon, member=member_a, going=True)
    past = EventFactory(starts_at=timezone.now() + timedelta(days=1))
    services.rsvp_set(event=past, member=member_a, going=True)
    past.starts_at = timezone.now() - timedelta(days=3)
    past.ends_at = past.starts_at + timedelta(hours=2)
    past.save()
    client.force_login(member_a)
    response = client.get("/me/events/")
    upcoming = response.context["upcoming"]
    assert [(r.event, r.status, r.waitlist_position) for r in upcoming] == [
        (soon, "going", None),
        (full, "waitlisted", 1),
    ]
    assert [r.event for r in response.context["attended"]] == [past]
    assert "#1 on the waitlist" in response.content.decode()


def test_admin_csv_export(client, event, organizer):
    ada = UserFactory(display_name="=HYPERLINK(evil)")
    services.rsvp_set(event=event, member=ada, going=True, guests=1, answer="Hello, world")
    client.force_login(organizer)
    response = client.post(
        "/admin/events/rsvp/",
        {
            "action": "export_csv",
            "_selected_action": list(RSVP.objects.values_list("pk", flat=True)),
        },
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Name",
        "Email",
        "Event",
        "Status",
        "Guests",
        "Answer",
        "Breakout",
        "RSVP time",
        "Checked in",
    ]
    assert rows[1][:7] == [
        "'=HYPERLINK(evil)",
        ada.email,
        event.title,
        "Going",
        "1",
        "Hello, world",
        "",
    ]


def test_admin_raising_capacity_promotes(client, event, organizer):
    waiting = [services.rsvp_set(event=event, member=UserFactory(), going=True) for _ in range(4)]
    assert waiting[-1].status == RSVPStatus.WAITLISTED
    services.event_set_capacity(event=event, capacity=4)
    assert RSVP.objects.get(pk=waiting[-1].pk).status == RSVPStatus.GOING


def test_event_page_queries_constant_from_10_to_1000_rsvps(client, event, member_a):
    event.capacity = None
    event.save()
    user_model = get_user_model()

    def add(count, start):
        users = user_model.objects.bulk_create(
            user_model(email=f"bulk{start + i}@example.org", display_name=f"Bulk {start + i}")
            for i in range(count)
        )
        RSVP.objects.bulk_create(
            RSVP(event=event, member=user, status=RSVPStatus.GOING) for user in users
        )
        data_changed()  # bulk_create sends no signal: the cached pages are told here

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(event.get_absolute_url()).status_code == 200
        return len(captured)

    add(10, 0)
    small_anonymous = count_queries()
    client.force_login(member_a)
    small_member = count_queries()
    client.logout()
    add(990, 10)
    large_anonymous = count_queries()
    client.force_login(member_a)
    large_member = count_queries()
    # Anonymous visitors are not shown names, so the attendee query is not made, nor the
    # proposal's (its credit is for members).
    assert (small_anonymous, large_anonymous) == (7, 7)
    assert small_member == large_member


def test_check_in_and_my_events_queries_do_not_grow(client, group, organizer):
    user_model = get_user_model()

    def fill(count, start):
        for i in range(count):
            event = EventFactory(starts_at=timezone.now() + timedelta(days=i % 5 + 1))
            services.rsvp_set(event=event, member=organizer, going=True)
            if i % 2:
                event.hosts.add(organizer)  # My events lists them with the host tools
        big = EventFactory(starts_at=timezone.now() + timedelta(days=2), slug=f"big-{start}")
        users = user_model.objects.bulk_create(
            user_model(email=f"door{start + i}@example.org", display_name=f"Door {start + i}")
            for i in range(count * 10)
        )
        RSVP.objects.bulk_create(
            RSVP(event=big, member=user, status=RSVPStatus.GOING) for user in users
        )
        return big

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.force_login(organizer)
    big = fill(3, 0)
    small = (queries(f"/events/{big.slug}/check-in/"), queries("/me/events/"))
    big = fill(30, 1000)
    large = (queries(f"/events/{big.slug}/check-in/"), queries("/me/events/"))
    # check-in: session, user, group, the viewer's membership (Event.visible_to asks it), event,
    # list, stats; mine: session, user, group, upcoming, cancelled, attended, hosting.
    assert small == large == (7, 7)


def test_admin_messages_name_a_former_member_not_none(client, organizer, group):
    event = EventFactory(group=group, starts_at=timezone.now() - timedelta(days=2))
    rsvp = RSVP.objects.create(event=event, member=None, status=RSVPStatus.NOT_GOING)
    client.force_login(organizer)
    response = client.post(
        "/admin/events/rsvp/",
        {"action": "mark_attended", "_selected_action": [rsvp.pk]},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == [
        "a former member: Only members who are going can be checked in.",
        "0 RSVPs updated.",
    ]
