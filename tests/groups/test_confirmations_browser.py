"""A second organizer confirms a ban another organizer asked for, in Chromium."""

import pytest

from groups.access import is_member
from groups.confirmations import action_request
from groups.models import Role
from groups.permissions import organizers_group
from tests.browser import axe_violations, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_second_organizer_confirms_a_ban(page, group, organizer, member, password):
    second = UserFactory(is_staff=True, display_name="Bea Second")
    second.groups.add(organizers_group())
    MembershipFactory(group=group, user=second, role=Role.CO_ORGANIZER)
    action_request(
        group=group,
        kind="member_ban",
        target=member.pk,
        title=f"Ban {member.display_name}",
        by=organizer,
        reason="Threats",
    )
    log_in(page, second.email, password)
    page.goto("/actions/")
    page.get_by_role("link", name=f"Ban {member.display_name}").click()
    page.wait_for_load_state()
    assert page.get_by_text("Reason: Threats").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm: Ban").click()
    page.wait_for_load_state()
    assert page.url.endswith("/actions/")
    assert page.get_by_text("Nothing is waiting.").is_visible()
    assert axe_violations(page) == []
    assert page.console_errors == []
    assert is_member(member, group) is False
