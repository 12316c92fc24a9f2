"""No dead ends on the event page: "Join and go" (one POST joins an open group and answers),
"Ask to join" (the join page, then back to the event), a visitor's way back after logging in,
and the calm going card."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services
from events.models import RSVP, Breakout, RSVPStatus
from groups.models import JoinQuestion, Membership, MembershipStatus
from groups.services import membership_ban
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(group):
    return EventFactory(capacity=2, max_guests=1, starts_at=timezone.now() + timedelta(days=3))


@pytest.fixture
def stranger():
    """Signed up on the site, not a member of the group."""
    return UserFactory()


def _stored(event, person):
    return (
        list(Membership.objects.filter(user=person).values_list("status", flat=True)),
        list(RSVP.objects.filter(event=event, member=person).values_list("status", flat=True)),
    )


# --- the service -------------------------------------------------------------------------


def test_join_and_go_joins_and_answers_going(event, stranger):
    rsvp = services.rsvp_join_and_go(event=event, member=stranger, guests=1)
    assert (rsvp.status, rsvp.guests) == (RSVPStatus.GOING, 1)
    assert _stored(event, stranger) == ([MembershipStatus.ACTIVE], [RSVPStatus.GOING])


def test_join_and_go_when_full_joins_the_waitlist(event, stranger):
    services.rsvp_set(event=event, member=UserFactory(), going=True, guests=1)
    rsvp = services.rsvp_join_and_go(event=event, member=stranger)
    assert rsvp.status == RSVPStatus.WAITLISTED
    assert _stored(event, stranger) == ([MembershipStatus.ACTIVE], [RSVPStatus.WAITLISTED])


def test_join_and_go_refused_where_joining_needs_approval(group, event, stranger):
    group.join_needs_approval = True
    group.save()
    with pytest.raises(ValidationError) as refused:
        services.rsvp_join_and_go(event=event, member=stranger)
    assert refused.value.code == "join_first"
    assert _stored(event, stranger) == ([], [])


def test_join_and_go_refused_where_the_group_asks_questions(group, event, stranger):
    JoinQuestion.objects.create(group=group, text="Why do you want to join?", order=0)
    with pytest.raises(ValidationError) as refused:
        services.rsvp_join_and_go(event=event, member=stranger)
    assert refused.value.code == "join_first"
    assert _stored(event, stranger) == ([], [])


def test_join_and_go_refused_for_a_ban(group, organizer, event, stranger):
    membership_ban(group=group, user=stranger, by=organizer)
    with pytest.raises(ValidationError) as refused:
        services.rsvp_join_and_go(event=event, member=stranger)
    assert refused.value.code == "banned"
    assert _stored(event, stranger) == ([], [])


def test_join_and_go_stores_nothing_when_the_answer_is_refused(event, stranger):
    """Joining succeeds, then the RSVP is refused (too many guests): no membership is left
    behind without the RSVP it was made for."""
    with pytest.raises(ValidationError) as refused:
        services.rsvp_join_and_go(event=event, member=stranger, guests=5)
    assert refused.value.code == "too_many_guests"
    assert _stored(event, stranger) == ([], [])


def test_join_and_go_refused_when_rsvps_are_closed(event, stranger):
    event.rsvp_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()
    with pytest.raises(ValidationError) as refused:
        services.rsvp_join_and_go(event=event, member=stranger)
    assert refused.value.code == "closed"
    assert _stored(event, stranger) == ([], [])


def test_join_and_go_for_a_member_just_answers(group, event):
    member = MembershipFactory(group=group).user
    rsvp = services.rsvp_join_and_go(event=event, member=member)
    assert _stored(event, member) == ([MembershipStatus.ACTIVE], [RSVPStatus.GOING])
    assert rsvp.status == RSVPStatus.GOING


# --- the pages ---------------------------------------------------------------------------


def _rsvp_box(client, url):
    html = client.get(url).content.decode()
    return html[html.index('id="rsvp"') : html.index("</section>", html.index('id="rsvp"'))]


def test_non_member_sees_join_and_go_and_one_post_makes_them_going(client, event, stranger):
    client.force_login(stranger)
    box = _rsvp_box(client, event.get_absolute_url())
    assert f'action="/events/{event.slug}/join-and-go/"' in box
    assert "Join and go" in box
    assert "I&#x27;m going" not in box and "I'm going" not in box
    response = client.post(f"/events/{event.slug}/join-and-go/", {"going": "yes", "guests": "0"})
    assert (response.status_code, response["Location"]) == (
        302,
        f"{event.get_absolute_url()}#rsvp",
    )
    assert _stored(event, stranger) == ([MembershipStatus.ACTIVE], [RSVPStatus.GOING])
    page = client.get(event.get_absolute_url()).content.decode()
    assert page.count("You're going.") == 1  # the card, not again in the flash
    assert "Welcome to Platform Cooperatives NYC! See you there!" in page


def test_non_member_where_approval_is_needed_is_sent_to_the_join_page(client, group, event):
    group.join_needs_approval = True
    group.save()
    stranger = UserFactory()
    client.force_login(stranger)
    box = _rsvp_box(client, event.get_absolute_url())
    back = f"{event.get_absolute_url()}%3Frsvp%3Dyes"
    assert f'<a class="button" href="/join/?next={back}">Ask to join</a>' in box
    response = client.post(f"/join/?next={back}", {"next": f"{event.get_absolute_url()}?rsvp=yes"})
    assert (response.status_code, response["Location"]) == (
        302,
        f"{event.get_absolute_url()}?rsvp=yes",
    )
    assert _stored(event, stranger) == ([MembershipStatus.PENDING], [])
    box = _rsvp_box(client, f"{event.get_absolute_url()}?rsvp=yes")
    assert "Your request to join is waiting for an organizer" in box
    assert "Ask to join" not in box


def test_join_and_go_refused_on_a_group_with_approval_shows_the_page_again(
    client, group, event, stranger
):
    group.join_needs_approval = True
    group.save()
    client.force_login(stranger)
    response = client.post(f"/events/{event.slug}/join-and-go/", {"going": "yes"})
    assert response.status_code == 409
    assert "please ask to join first" in response.content.decode()
    assert _stored(event, stranger) == ([], [])


def test_visitor_log_in_link_returns_to_the_event_to_confirm(client, event, member):
    back = f"{event.get_absolute_url()}%3Frsvp%3Dyes"
    box = _rsvp_box(client, event.get_absolute_url())
    assert f'href="/accounts/login/?next={back}">Log in to RSVP</a>' in box
    client.force_login(member)
    box = _rsvp_box(client, f"{event.get_absolute_url()}?rsvp=yes")
    assert "Welcome back! Confirm that you're going." in box
    assert not RSVP.objects.filter(event=event).exists()  # the GET answered nothing


def test_going_card_is_calm_with_one_breakout_selector(client, group, event, member):
    chosen = Breakout.objects.create(event=event, order=0, topic="Housing co-ops")
    Breakout.objects.create(event=event, order=1, topic="Worker co-ops")
    services.rsvp_set(event=event, member=member, going=True)
    services.rsvp_choose_breakout(event=event, member=member, breakout=chosen)
    client.force_login(member)
    html = client.get(event.get_absolute_url()).content.decode()
    assert html.count('name="breakout"') == 1
    box = _rsvp_box(client, event.get_absolute_url())
    assert "Your breakout: Housing co-ops" in box
    assert "<summary>Change my answer</summary>" in box
    assert "Add to calendar</a>" in box
    assert "Save changes" not in html


def test_non_member_where_the_group_asks_questions_answers_them_then_confirms(
    client, group, event, stranger
):
    question = JoinQuestion.objects.create(group=group, text="Why do you want to join?", order=0)
    client.force_login(stranger)
    back = f"{event.get_absolute_url()}?rsvp=yes"
    box = _rsvp_box(client, event.get_absolute_url())
    assert f'href="/join/?next={event.get_absolute_url()}%3Frsvp%3Dyes">Join the group</a>' in box
    join_page = client.get(f"/join/?next={back}").content.decode()
    assert f'<input type="hidden" name="next" value="{back}">' in join_page
    response = client.post("/join/", {"next": back, f"answer_{question.pk}": "Co-ops!"})
    assert (response.status_code, response["Location"]) == (302, back)
    assert _stored(event, stranger) == ([MembershipStatus.ACTIVE], [])
    box = _rsvp_box(client, back)
    assert "Welcome back! Confirm that you're going." in box
    assert f'action="/events/{event.slug}/rsvp/"' in box


def test_a_waiting_request_gets_its_own_version_of_the_cached_page(client, group, event):
    """Signed-in non-members share one cached event page; someone whose request waits must
    not be served theirs ("Ask to join"), nor they the waiting note."""
    group.join_needs_approval = True
    group.save()
    client.force_login(UserFactory())
    assert "Ask to join" in _rsvp_box(client, event.get_absolute_url())
    waiting = UserFactory()
    Membership.objects.create(group=group, user=waiting, status=MembershipStatus.PENDING)
    client.force_login(waiting)
    box = _rsvp_box(client, event.get_absolute_url())
    assert "Your request to join is waiting for an organizer" in box
    assert "Ask to join" not in box
    client.force_login(UserFactory())
    assert "Ask to join" in _rsvp_box(client, event.get_absolute_url())
