"""The page of an evening that has ended is a recap: that it is over, how many went and who,
its photos before the breakout notes; no calendar, no RSVP form, no zero counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import RSVP, RSVPStatus
from photos.models import Album
from tests.events.conftest import build_full_event
from tests.factories import (
    BreakoutFactory,
    EventFactory,
    MembershipFactory,
    UserFactory,
    stored_photos,
)

pytestmark = pytest.mark.django_db


def _ago(days):
    return timezone.now() - timedelta(days=days)


def _went(event, people, *, checked_in=False):
    for person in people:
        RSVP.objects.create(
            event=event,
            member=person,
            status=RSVPStatus.GOING,
            checked_in_at=event.starts_at if checked_in else None,
        )


def _photos(event, count, by):
    album, _ = Album.objects.get_or_create(
        event=event, defaults={"group": event.group, "title": event.title}
    )
    stored_photos(album, by=by, count=count, alt="Evening photo")
    return album


def _members(group, count, **user):
    return [MembershipFactory(group=group, **user).user for _ in range(count)]


def _template_names(response):
    return [template.name for template in response.templates]


def test_an_ended_event_gets_the_recap_and_an_upcoming_one_does_not(client, group):
    past = EventFactory(starts_at=_ago(3))
    upcoming = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    assert "events/recap.html" in _template_names(client.get(past.get_absolute_url()))
    names = _template_names(client.get(upcoming.get_absolute_url()))
    assert ("events/detail.html" in names, "events/recap.html" in names) == (True, False)


def test_recap_says_it_ended_with_no_calendar_and_no_rsvp(client, group, member):
    past = build_full_event(starts_at=_ago(3))
    _went(past, [member])
    client.force_login(member)
    html = client.get(past.get_absolute_url()).content.decode()
    assert "This evening has ended" in html
    assert "You were there." in html
    for furniture in (
        ".ics",
        "calendar.google.com",
        "Add to calendar",
        f"/events/{past.slug}/rsvp/",
        "action-bar",
        "I can&#x27;t go any more",
        "signed up",
    ):
        assert furniture not in html, furniture


def test_recap_shows_the_photos_before_the_notes(client, group, organizer):
    past = build_full_event(starts_at=_ago(3))
    album = _photos(past, 8, organizer)
    html = client.get(past.get_absolute_url()).content.decode()
    strip, notes = html.find('class="photo-strip"'), html.find("<strong>Outcome</strong>")
    assert (strip > 0, notes > 0, strip < notes) == (True, True, True)
    # The first six, linked to the album.
    assert html.count('alt="Evening photo ') == 6
    assert f'href="{album.get_absolute_url()}"' in html


def test_recap_of_a_quiet_evening_shows_no_zero(client, group, member):
    past = EventFactory(starts_at=_ago(3))
    BreakoutFactory(event=past, topic="Tea", notes="Warm", notes_published=True)
    BreakoutFactory(event=past, topic="Cake")
    client.force_login(member)
    html = client.get(past.get_absolute_url()).content.decode()
    assert "This evening has ended" in html
    for zero in ("0 signed up", "0 people", "0 went", "went.", "took part", "0 going"):
        assert zero not in html, zero
    assert "Also discussed: Cake" in " ".join(html.split())


def test_recap_counts_who_checked_in_when_the_door_recorded_anyone(client, group):
    past = EventFactory(starts_at=_ago(3))
    _went(past, _members(group, 3))
    _went(past, _members(group, 2), checked_in=True)
    assert "2 people went." in client.get(past.get_absolute_url()).content.decode()
    quiet = EventFactory(starts_at=_ago(4))
    _went(quiet, _members(group, 1))
    assert "1 person went." in client.get(quiet.get_absolute_url()).content.decode()


def test_breakouts_say_how_many_took_part_only_when_some_did(client, group, member):
    past = EventFactory(starts_at=_ago(3))
    busy = BreakoutFactory(event=past, topic="Busy", notes="N", notes_published=True)
    BreakoutFactory(event=past, topic="Empty", notes="M", notes_published=True)
    RSVP.objects.create(event=past, member=member, status=RSVPStatus.GOING, breakout=busy)
    html = client.get(past.get_absolute_url()).content.decode()
    assert html.count("took part") == 1
    assert "1 took part" in html


def test_photo_empty_state_invites_those_who_went(client, group, member):
    past = EventFactory(starts_at=_ago(3))
    upload = f"/events/{past.slug}/photos/upload/"
    assert "Add your photos" not in client.get(past.get_absolute_url()).content.decode()
    other = MembershipFactory(group=group).user
    client.force_login(other)
    html = client.get(past.get_absolute_url()).content.decode()
    assert ("No photos from this evening yet." in html, upload in html) == (True, False)
    _went(past, [member])
    client.force_login(member)
    html = client.get(past.get_absolute_url()).content.decode()
    assert ("Went to this evening?" in html, upload in html) == (True, True)


def test_a_cancelled_evening_that_has_passed_still_says_cancelled(client, group):
    past = EventFactory(starts_at=_ago(3), status="cancelled")
    html = client.get(past.get_absolute_url()).content.decode()
    assert "This event has been cancelled." in html
    assert "This evening has ended" not in html


# Who went, as faces: visitors see none (members-only, groups/visibility.py "attendance");
# members see those who show their name and themselves; organizers and the event's hosts see
# everyone. Always the first RECAP_FACES and "+N" for the rest.
FACES = {
    "visitor": set(),
    "outsider": set(),
    "member": {"Shown Sam"},
    "hidden": {"Shown Sam", "Hidden Hal"},
    "host": {"Shown Sam", "Hidden Hal"},
    "organizer": {"Shown Sam", "Hidden Hal"},
}


@pytest.mark.parametrize("role", FACES)
def test_faces_follow_the_visibility_rules(client, group, organizer, role):
    past = EventFactory(starts_at=_ago(3))
    shown = MembershipFactory(group=group, user__display_name="Shown Sam").user
    hidden = MembershipFactory(
        group=group, user__display_name="Hidden Hal", user__show_in_attendee_lists=False
    ).user
    _went(past, [shown, hidden])
    host = MembershipFactory(group=group).user
    past.hosts.add(host)
    people = {
        "outsider": UserFactory(),
        "member": MembershipFactory(group=group).user,
        "hidden": hidden,
        "host": host,
        "organizer": organizer,
    }
    if role != "visitor":
        client.force_login(people[role])
    response = client.get(past.get_absolute_url())
    faces = {rsvp.member.display_name for rsvp in response.context["faces"]}
    html = response.content.decode()
    assert faces == FACES[role]
    assert {name for name in ("Shown Sam", "Hidden Hal") if name in html} == FACES[role]
    assert "2 people went." in html
    if not FACES[role]:
        assert "Members of the group see who went." in html


def test_faces_stop_at_twelve_with_the_rest_as_more(client, group, member):
    past = EventFactory(starts_at=_ago(3))
    _went(past, _members(group, 15))
    client.force_login(member)
    response = client.get(past.get_absolute_url())
    assert (len(response.context["faces"]), response.context["more_went"]) == (12, 3)
    assert "+3" in response.content.decode()


# Session, user, group, the page's version (the member's RSVP and role), event (with venue,
# series, album), speakers, agenda, breakouts (with sign-ups), hosts, RSVP stats, the faces,
# the member's RSVP, the photos, the member's mute, the comments' count, the proposal credit,
# the approved replies from the fediverse.
PINNED_RECAP = 17


@pytest.mark.parametrize("size", [10, 30])
def test_recap_queries_do_not_grow_with_photos_or_people(client, group, organizer, size):
    past = build_full_event(starts_at=_ago(3))
    people = _members(group, size)
    _went(past, people, checked_in=True)
    _photos(past, size, organizer)
    client.force_login(people[0])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(past.get_absolute_url())
    assert response.status_code == 200
    assert len(captured) == PINNED_RECAP, [q["sql"][:90] for q in captured]


def test_past_cards_say_how_many_went_and_nothing_for_none(client, group):
    EventFactory(starts_at=_ago(3), title="Quiet")
    door = EventFactory(starts_at=_ago(4), title="Door")
    _went(door, _members(group, 3))
    _went(door, _members(group, 2), checked_in=True)
    said = EventFactory(starts_at=_ago(5), title="Said")
    _went(said, _members(group, 1))
    response = client.get("/events/past/")
    cards = {
        event.title: " ".join(event_card.split())
        for event, event_card in zip(
            response.context["events"],
            response.content.decode().split('<article class="event-card')[1:],
            strict=True,
        )
    }
    assert "went" not in cards["Quiet"]
    assert ("2 went" in cards["Door"], "checked in" in cards["Door"]) == (True, False)
    assert "1 went" in cards["Said"]


def test_an_upcoming_event_with_nobody_yet_invites_instead_of_counting(client, group):
    event = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    BreakoutFactory(event=event, topic="Tea")
    BreakoutFactory(event=event, topic="Cake", capacity=8)
    html = " ".join(client.get(event.get_absolute_url()).content.decode().split())
    assert "Be one of the first" in html
    for zero in ("0 members going", "0 signed up", "0 of 8 places taken", "0 going"):
        assert zero not in html, zero
    assert "8 places" in html


def test_an_answer_sent_after_the_end_gets_the_recap_with_the_reason(client, group, member):
    past = EventFactory(starts_at=_ago(1))
    client.force_login(member)
    response = client.post(f"/events/{past.slug}/rsvp/", {"going": "yes", "guests": "0"})
    html = response.content.decode()
    assert (response.status_code, "events/recap.html" in _template_names(response)) == (409, True)
    assert "This evening has ended" in html
    assert "There is a problem" in html
