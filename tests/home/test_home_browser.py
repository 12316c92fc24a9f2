import pytest

from tests.browser import axe_violations, third_party_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_page_has_no_axe_violations(page, live_server, group, organizer, path):
    page.goto(path)
    assert axe_violations(page) == []
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_keyboard_only_reaches_sign_up(page, group):
    page.goto("/")
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        if focused == "/accounts/signup/":
            break
    else:
        pytest.fail("Tab never reached the sign-up link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/signup/")
    assert page.get_by_label("Your name").is_visible()


def test_skip_link_is_first_and_moves_focus(page, group):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
