"""An organizer in Chromium previews a draft as members will see it, then publishes it; and
publishes or cancels several events from the list after one confirmation page. axe-core finds
nothing on any of these pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events import timefmt
from events.models import Event, EventStatus
from tests.browser import axe_violations, log_in
from tests.factories import EventFactory, MembershipFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_previews_a_draft_as_a_member_then_publishes_it(page, group, organizer, password):
    MembershipFactory.create_batch(2, group=group)
    draft = EventFactory(
        group=group,
        status=EventStatus.DRAFT,
        title="Housing co-ops",
        starts_at=timezone.now() + timedelta(days=7),
        venue=VenueFactory(name="The Commons", address="12 Secret Lane", city="Brooklyn"),
        address_for_attendees_only=True,
    )
    log_in(page, organizer.email, password)
    page.goto(f"/admin/events/event/{draft.pk}/change/")
    page.get_by_role("link", name="Preview", exact=True).click()
    page.wait_for_load_state()
    banner = page.get_by_role("note").filter(has_text="Preview:")
    assert banner.count() == 1
    assert banner.get_by_text(
        "Preview: this is how members will see the page once it is published."
    ).is_visible()
    assert page.get_by_text("12 Secret Lane").count() == 0
    assert page.get_by_role("button", name="I'm going").is_disabled()
    assert page.get_by_role("link", name="Door check-in").count() == 0
    assert axe_violations(page) == []
    assert page.console_errors == []

    banner.get_by_role("link", name="Publish…").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 members will be emailed about it.").is_visible()
    page.get_by_role("button", name="Publish and tell the group").click()
    page.wait_for_load_state()
    assert Event.objects.get(pk=draft.pk).status == EventStatus.PUBLISHED


def _run(page, action: str, events) -> None:
    page.goto("/admin/events/event/")
    for event in events:
        page.locator(f"input[name=_selected_action][value='{event.pk}']").check()
    page.locator("select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()


def test_organizer_publishes_and_cancels_several_events_after_one_page(
    page, group, organizer, password
):
    MembershipFactory.create_batch(3, group=group)
    drafts = [
        EventFactory(
            group=group,
            status=EventStatus.DRAFT,
            title=f"Draft {n}",
            starts_at=timezone.now() + timedelta(days=7 + n),
        )
        for n in range(2)
    ]
    out = EventFactory(group=group, title="Already out")
    log_in(page, organizer.email, password)
    _run(page, "Publish the selected events…", [*drafts, out])
    assert page.locator(".potluck-selected-events li").all_inner_texts() == [
        f"Draft 0, {_when(drafts[0])}: 3 members will be emailed about it.",
        f"Draft 1, {_when(drafts[1])}: 3 members will be emailed about it.",
    ]
    assert page.get_by_text("Not drafts, left as they are: “Already out”.").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish and tell the group").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "Published 2 events: “Draft 0”, “Draft 1”. The group is being told."
    ).is_visible()
    assert axe_violations(page) == []

    _run(page, "Cancel the selected events…", [drafts[0]])
    assert page.get_by_text("0 people going or on the waitlist will be told.").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Cancel the events and tell them").click()
    page.wait_for_load_state()
    assert Event.objects.get(pk=drafts[0].pk).status == EventStatus.CANCELLED
    assert page.console_errors == []


def _when(event) -> str:
    return timefmt.format_start(event.starts_at, event.group.zone)
