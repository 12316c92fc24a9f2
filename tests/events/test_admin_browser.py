"""The organizer's admin pages that Potluck's own options, templates and inlines produce, in
Chromium: each opens for an organizer with no axe-core violation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Email, EmailState
from events import services
from events.emails import EventEmail
from events.models import Recurrence, SpeakerLink
from groups.models import Membership
from home.demo import pattern, upload
from photos.models import Photo
from photos.services import album_for_event, photo_add
from tests.browser import axe_violations, log_in
from tests.events.conftest import build_full_event
from tests.factories import (
    AnnouncementFactory,
    MembershipFactory,
    SeriesFactory,
    SpeakerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rows(group, organizer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    past = build_full_event(starts_at=timezone.now() - timedelta(days=3))
    upcoming = build_full_event(starts_at=timezone.now() + timedelta(days=10), capacity=1)
    services.rsvp_set(event=upcoming, member=organizer, going=True)
    services.rsvp_set(event=upcoming, member=MembershipFactory(group=group).user, going=True)
    Email.objects.create(
        kind=EventEmail.CONFIRMATION,
        recipient=organizer,
        address=organizer.email,
        params={"event": upcoming.pk},
        subject=f"You're going: {upcoming.title}",
        state=EmailState.SENT,
        sent_at=timezone.now(),
    )
    album = album_for_event(event=past, by=organizer)
    photo_add(album=album, uploaded_by=organizer, file=upload(pattern("a", (800, 600)), "a.png"))
    photo_add(
        album=album,
        uploaded_by=organizer,
        file=upload(pattern("b", (800, 600)), "b.png"),
        alt_text="Chairs in a circle",
    )
    series = SeriesFactory(group=group, recurrence=Recurrence.MONTHLY_WEEKDAY)
    past.series = series
    past.save()
    speaker = SpeakerFactory(member=organizer, affiliation="Housing Co-op")
    SpeakerLink.objects.create(speaker=speaker, label="Website", url="https://example.org/")
    return {
        "past": past,
        "upcoming": upcoming,
        "album": album,
        "series": series,
        "announcement": AnnouncementFactory(group=group),
        "speaker": speaker,
    }


def _pages(rows, group, organizer):
    membership = Membership.objects.get(user=organizer)
    return [
        "/admin/",
        "/admin/events/event/",
        "/admin/events/event/add/",
        f"/admin/events/event/{rows['upcoming'].pk}/change/",
        f"/admin/events/event/{rows['past'].pk}/change/",  # notes and "After the event" open
        f"/admin/groups/group/{group.pk}/change/",
        "/admin/groups/membership/",
        f"/admin/groups/membership/{membership.pk}/change/",
        "/admin/photos/photo/",
        f"/admin/photos/photo/{Photo.objects.first().pk}/change/",
        "/admin/photos/album/",
        f"/admin/photos/album/{rows['album'].pk}/change/",
        "/admin/events/rsvp/",
        "/admin/core/email/",
        f"/admin/events/series/{rows['series'].pk}/change/",
        f"/admin/events/series/{rows['series'].pk}/schedule/",  # "Schedule the next dates"
        "/admin/groups/membershipaction/",
        "/admin/groups/ban/",
        # The texts in English and Spanish side by side (issue 25, item 9).
        "/admin/events/venue/add/",
        f"/admin/events/venue/{rows['upcoming'].venue_id}/change/",
        # The "member account" search box named by static/js/admin-labels.js.
        "/admin/events/speaker/add/",
        f"/admin/events/speaker/{rows['speaker'].pk}/change/",
        # The member's view of an event (a draft's in test_admin_preview_browser.py, with the
        # list's Publish… page). The pages of the lists' actions: ACTION_PAGES.
        f"/admin/events/event/{rows['upcoming'].pk}/preview/",
        "/admin/events/series/add/",
        "/admin/conversation/announcement/add/",
        f"/admin/conversation/announcement/{rows['announcement'].pk}/change/",
    ]


def test_organizer_admin_pages_have_no_axe_violations(page, rows, group, organizer, password):
    assert Photo.objects.filter(grid_jpeg__gt="").count() == 2  # with thumbnails
    log_in(page, organizer.email, password)
    found = {}
    for url in _pages(rows, group, organizer):
        response = page.goto(url)
        assert response.status == 200, url
        found[url] = axe_violations(page)
    # The pages an action on a list opens (POSTed): everything selected, then "Run".
    for changelist, action in ACTION_PAGES:
        page.goto(changelist)
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option(label=action)
        page.get_by_role("button", name="Run").click()
        page.wait_for_load_state()
        assert page.locator("select[name=action]").count() == 0, action  # not the list
        found[action] = axe_violations(page)
    assert {url: v for url, v in found.items() if v} == {}
    assert page.console_errors == []  # nothing refused by the CSP


ACTION_PAGES = [
    ("/admin/events/venue/", "Merge selected venues"),
    ("/admin/events/event/", "Cancel the selected events…"),
    ("/admin/events/event/", "Send a message to the people going"),
    ("/admin/events/series/", "Schedule the next dates…"),
]


def test_duplicate_button_makes_a_draft_and_opens_it(page, rows, organizer, password):
    log_in(page, organizer.email, password)
    page.goto(f"/admin/events/event/{rows['upcoming'].pk}/change/")
    page.get_by_role("button", name="Duplicate").click()
    page.wait_for_load_state()
    assert page.get_by_text("Check it, then publish it.").is_visible()
    assert page.locator(".field-status .readonly").inner_text() == "Draft"  # not a select
    assert axe_violations(page) == []
    assert page.console_errors == []
