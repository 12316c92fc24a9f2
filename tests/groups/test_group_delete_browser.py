"""An organizer deletes the group from the site, in Chromium: the page says what goes and
what stays, refuses a mistyped name, and with one organizer deletes at once."""

import pytest

from groups.models import Group
from tests.browser import axe_violations, log_in

DOCUMENT_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organizer_deletes_the_group(page, group, organizer, password):
    log_in(page, organizer.email, password)
    page.goto("/actions/")
    page.get_by_role("link", name="Delete the group…").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What deleting the group does").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("The group's name, typed out to confirm").fill("Someone else")
    page.get_by_role("button", name="Delete the group").click()
    page.wait_for_load_state()
    assert page.get_by_text("This is not the group's name.").is_visible()
    assert axe_violations(page) == []
    assert Group.objects.filter(pk=group.pk).exists()
    page.get_by_label("The group's name, typed out to confirm").fill(group.name)
    page.get_by_role("button", name="Delete the group").click()
    page.wait_for_load_state()
    assert not Group.objects.filter(pk=group.pk).exists()
    assert page.get_by_text("The group and everything in it were deleted.").is_visible()
    assert page.console_errors == [DOCUMENT_400]  # the refused form's status alone
