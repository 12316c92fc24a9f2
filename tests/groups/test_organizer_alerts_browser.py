"""An organizer chooses on /me/notifications/ how they hear of what waits for them, in Chromium."""

import pytest

from groups.models import AlertChoice
from tests.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_chooses_the_daily_digest_on_their_page(page, group, organizer, password):
    log_in(page, organizer.email, password)
    page.goto("/me/notifications/")
    at_once = page.get_by_label("An email for each, at once")
    assert at_once.is_checked()
    assert axe_violations(page) == []
    page.get_by_label("One email a day listing them").check()
    page.get_by_role("button", name="Save email preferences").click()
    page.wait_for_load_state()
    assert page.get_by_label("One email a day listing them").is_checked()
    assert axe_violations(page) == []
    assert page.console_errors == []
    organizer.refresh_from_db()
    assert organizer.organizer_alerts == AlertChoice.DIGEST
