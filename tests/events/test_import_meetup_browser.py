"""An organizer moves from Meetup in Chromium: the import page, the preview, the confirm; axe-core
finds nothing on either page."""

from pathlib import Path

import pytest

from events.models import Event
from tests.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).parent / "fixtures"


def test_organizer_previews_then_imports_a_meetup_feed(page, group, organizer, password):
    log_in(page, organizer.email, password)
    page.goto("/admin/events/event/")
    page.get_by_role("link", name="Import from Meetup or a calendar file").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.get_by_label("Calendar file (.ics)").set_input_files(FIXTURES / "meetup_group.ics")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "Importing this calendar would create 4 events, update 0 and leave 0 as they are."
    ).is_visible()
    table = page.get_by_role("table", name="Events in the calendar")
    assert table.get_by_role("row").count() == 5
    assert table.get_by_role("cell", name="Late-night hack night (clocks go back)").is_visible()
    assert axe_violations(page) == []
    assert Event.objects.count() == 0
    page.get_by_role("button", name="Import these events").click()
    page.wait_for_load_state()
    assert page.get_by_text("Import done: 4 created, 0 updated, 0 skipped.").is_visible()
    assert Event.objects.count() == 4
    assert page.console_errors == []
