"""An organizer in Chromium: a venue named twice is refused in plain words next to the name,
and duplicates already there are merged from the venue list; axe-core finds nothing."""

import pytest

from events.models import Event, Venue
from tests.browser import axe_violations, log_in
from tests.factories import EventFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_told_a_venue_exists_then_merges_duplicates(page, group, organizer, password):
    commons = VenueFactory(name="The Commons")
    log_in(page, organizer.email, password)
    page.goto("/admin/events/venue/add/")
    page.locator("#id_name_en").fill("the commons")
    page.locator("#id_address_en").fill("1 Other Street")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    message = (
        "There is already a venue with this name: choose it for the event, or name this one "
        "differently."
    )
    # Django's admin puts a field's errors in the field's own row.
    assert page.locator(".form-row.field-name_en .errorlist").inner_text() == message
    assert axe_violations(page) == []
    assert list(Venue.objects.all()) == [commons]

    # The same place entered twice under another name.
    twin = VenueFactory(name="Commons room")
    EventFactory(venue=twin)
    page.goto("/admin/events/venue/")
    page.get_by_role("checkbox", name="Select this object for an action - The Commons").check()
    page.get_by_role("checkbox", name="Select this object for an action - Commons room").check()
    page.locator("select[name=action]").select_option(label="Merge selected venues")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert page.get_by_label("The Commons (", exact=False).is_checked()  # the oldest
    assert axe_violations(page) == []
    page.get_by_role("button", name="Merge the venues").click()
    page.wait_for_load_state()
    done = "Kept “The Commons” and deleted 1 duplicate. 1 event moved to it."
    assert page.get_by_text(done).is_visible()
    assert axe_violations(page) == []
    assert list(Venue.objects.all()) == [commons]
    assert list(Event.objects.values_list("venue", flat=True)) == [commons.pk]
