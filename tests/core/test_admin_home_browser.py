"""The admin home in Chromium, with something on every line of "What needs you", the next
events and the first steps: no axe-core violation, nothing refused by the CSP."""

import pytest

from tests.browser import axe_violations, log_in
from tests.core.admin_home import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_home_with_every_line_has_no_axe_violations(page, group, organizer, password):
    fill(group, organizer, n=2)
    log_in(page, organizer.email, password)
    page.goto("/admin/")
    panel = page.locator(".potluck-waiting")
    assert panel.get_by_role("listitem").all_inner_texts() == [
        "2 join requests waiting",
        "2 photos waiting for review",
        "2 takedown requests waiting",
        "2 reports waiting",
        "2 emails failed",
        "2 webhook deliveries failing",
    ]
    assert page.locator(".potluck-steps li").count() == 4
    assert page.locator(".potluck-next-events tbody tr").count() == 2
    assert axe_violations(page) == []
    assert page.console_errors == []
    # On a phone: each event's numbers under its title, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    panel.get_by_role("link", name="2 reports waiting").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/conversation/report/?status__exact=open")
