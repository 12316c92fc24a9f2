"""Pages reached from emails or the footer, in Chromium with axe: no login needed for most."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.emails.message import unsubscribe_token
from events import services
from events.emails import EventEmail, cant_make_it_token
from photos.models import Album
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory, MembershipFactory, UserFactory


def _pages(group):
    member = MembershipFactory(group=group).user
    event = EventFactory(starts_at=timezone.now() + timedelta(days=2))
    rsvp = services.rsvp_set(event=event, member=member, going=True)
    Album.objects.create(group=group, event=event, title="Spring meetup")
    return member, {
        "privacy": "/privacy/",
        "albums": "/photos/",
        "unsubscribe": f"/email/unsubscribe/{unsubscribe_token(member, EventEmail.REMINDER)}/",
        "cant_make_it": f"/email/cant-make-it/{cant_make_it_token(rsvp)}/",
        "invalid_link": "/email/cant-make-it/not-a-token/",
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name", ["privacy", "albums", "unsubscribe", "cant_make_it", "invalid_link"]
)
def test_pages_pass_axe(page, live_server, group, name):
    _member, pages = _pages(group)
    page.goto(pages[name])
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leave_page_passes_axe(page, live_server, group, password):
    member = _pages(group)[0]
    log_in(page, member.email, password)
    page.goto("/leave/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, leave the group").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []


@pytest.mark.django_db
def test_email_pages_queries_do_not_grow(client, group):
    _member, pages = _pages(group)

    def counts():
        result = {}
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            result[name] = len(captured)
        return result

    small = counts()
    for _ in range(30):
        other = UserFactory()
        services.rsvp_cancel(event=EventFactory(), member=other)
        Album.objects.create(group=group, title="More")
    large = counts()
    # the group (and, on the privacy page, whether it federates), then: albums count + page;
    # the member; the RSVP with its event
    assert (
        small
        == large
        == {
            "privacy": 2,
            "albums": 3,
            "unsubscribe": 2,
            "cant_make_it": 2,
            "invalid_link": 1,
        }
    )
