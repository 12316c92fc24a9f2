"""An organizer in Chromium follows a loopback account from admin → Following by its address,
sees it waiting for an answer, and is told in plain words when an address finds no one;
axe-core finds nothing on either page."""

import pytest

from federation.models import Following, FollowingState
from tests.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_follows_an_account_by_address(page, actor, organizer, password, test_actor):
    log_in(page, organizer.email, password)
    page.goto("/admin/federation/following/add/")
    assert axe_violations(page) == []
    page.get_by_label("Group").select_option(label=actor.group.name)
    page.get_by_label("Address").fill(f"{test_actor.base}/users/nobody")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Could not find", exact=False).is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Address").fill(
        f"acct:{test_actor.username}@{test_actor.host}:{test_actor.port}"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    page.goto("/admin/federation/following/")
    assert page.get_by_text("Waiting for an answer").first.is_visible()
    assert axe_violations(page) == []
    assert Following.objects.get().state == FollowingState.PENDING
    assert [r.activity["type"] for r in test_actor.received] == ["Follow"]
