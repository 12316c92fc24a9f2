"""The hosts' attendee page in Chromium: accessible, and flat in queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import RSVP, Breakout, RSVPStatus
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event(group):
    return EventFactory(
        group=group,
        capacity=1,
        rsvp_question="What brings you?",
        starts_at=timezone.now() + timedelta(days=2),
    )


def test_a_host_adds_and_moves_people(page, live_server, event, password):
    host = MembershipFactory(group=event.group, user=UserFactory(display_name="Ada")).user
    event.hosts.add(host)
    ann = MembershipFactory(group=event.group, user=UserFactory(display_name="Ann")).user
    ann_rsvp = services.rsvp_set(event=event, member=ann, going=True, answer="Curiosity")
    MembershipFactory(group=event.group, user=UserFactory(display_name="Bea"))
    log_in(page, host.email, password)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Attendees").click()
    page.wait_for_load_state()
    assert page.locator(f"#rsvp-{ann_rsvp.pk}").get_by_text("Curiosity").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Member", exact=True).select_option(label="Bea")
    page.get_by_label("Raise the capacity so they have a seat").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "Bea is going now and gets an email about it. The capacity was raised by 1 seat, to 2, "
        "to make room."
    ).is_visible()
    page.get_by_label("Actions for Ann").click()
    page.get_by_label("Move Ann to").select_option(label="Not going")
    page.get_by_role("button", name="Move Ann").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ann is not going now and gets an email about it.").is_visible()
    assert axe_violations(page) == []
    assert RSVP.objects.get(event=event, member=ann).status == RSVPStatus.NOT_GOING
    assert third_party_requests(page, live_server.url) == []


# Every element of each card inside its card, and nothing in the list scrolled or clipped
# sideways: [(element, card), …] of those that stick out.
OVERFLOWS = """() => {
  const out = [];
  for (const card of document.querySelectorAll(".attendee")) {
    const box = card.getBoundingClientRect();
    for (const el of [card, ...card.querySelectorAll("*")]) {
      const r = el.getBoundingClientRect();
      const name = `${el.tagName.toLowerCase()}.${el.className} in #${card.id}`;
      if (r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5)) out.push(name);
      if (el.clientWidth && el.scrollWidth > el.clientWidth + 1) out.push(`${name} scrolls`);
    }
  }
  return out;
}"""


def _crowded_event(group):
    """An evening under way (hosts can move people and mark no-shows): long names, a long
    answer, guests, a breakout, the waitlist and not going."""
    now = timezone.now()
    event = EventFactory(
        group=group,
        capacity=3,
        max_guests=2,
        rsvp_question="Anything we should know before the evening starts?",
        starts_at=now + timedelta(minutes=5),
    )
    Breakout.objects.create(event=event, order=0, topic="Financing worker cooperatives in NYC")
    people = [
        ("María Guadalupe Fernández-Castellanos de la Torre", 1, "I use a wheelchair " * 8),
        ("Ann", 0, "Curiosity"),
        ("Bea Waitlisted-Longname", 1, ""),
        ("Cy", 0, ""),
    ]
    for name, guests, answer in people:
        member = MembershipFactory(group=group, user=UserFactory(display_name=name)).user
        services.rsvp_set(event=event, member=member, going=True, guests=guests, answer=answer)
    services.rsvp_cancel(event=event, member=member)
    first = RSVP.objects.get(event=event, member__display_name__startswith="María")
    services.rsvp_choose_breakout(event=event, member=first.member, breakout=event.breakouts.get())
    # Started a minute ago: no-shows can be marked, RSVPs can still change.
    event.starts_at = now - timedelta(minutes=1)
    event.save(update_fields=["starts_at"])
    return event


@pytest.mark.parametrize(
    ("viewport", "name"),
    [({"width": 390, "height": 844}, "phone"), ({"width": 1440, "height": 900}, "desktop")],
)
def test_attendee_cards_fit_the_screen(open_tab, group, password, viewport, name):
    event = _crowded_event(group)
    host = MembershipFactory(group=group, user=UserFactory(display_name="Ada")).user
    event.hosts.add(host)
    page = open_tab(viewport=viewport)
    log_in(page, host.email, password)
    page.goto(f"/events/{event.slug}/attendees/")
    assert page.locator(".attendee").count() == 4
    assert page.get_by_text("2 going (3 seats), 1 waitlisted, 0 checked in.").is_visible()
    for summary in page.locator(".attendee summary").all():
        summary.click()
    assert page.get_by_label("Move Cy to").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(OVERFLOWS) == []
    assert axe_violations(page) == []


@pytest.mark.django_db
def test_attendee_page_queries_do_not_grow(client, event):
    host = MembershipFactory(group=event.group).user
    event.hosts.add(host)
    client.force_login(host)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/events/{event.slug}/attendees/").status_code == 200
        return len(captured)

    small = queries()
    event.capacity = None
    event.save()
    for _ in range(40):
        services.rsvp_set(event=event, member=MembershipFactory(group=event.group).user, going=True)
    # session, user, group, event, viewer, hosts, RSVPs, members not going,
    # stats.
    assert (small, queries()) == (9, 9)
