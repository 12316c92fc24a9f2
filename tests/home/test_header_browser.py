"""The header keeps the group's name (issue 26, item 5): on phones the name and one menu
button, on desktops a few public links and one account menu; the name is never cut ("P…"),
in English and in Spanish, for a visitor, a member and an organizer; nothing leaves the
screen; axe finds nothing. One browser page walks every case."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 390, 1440]
LANGUAGES = ["en", "es"]
# A phone's header shows the name and the menu button; a desktop's the links in one row.
DESKTOP = 960

# What is wrong with the header: the name cut or hidden, anything past the right edge.
HEADER_PROBLEMS = """() => {
  const problems = [];
  const name = document.querySelector('.site-header .brand-name');
  const box = name.getBoundingClientRect();
  if (name.scrollWidth > name.clientWidth || name.scrollHeight > name.clientHeight + 1) {
    problems.push(`name clipped: ${name.scrollWidth}>${name.clientWidth}`);
  }
  // A word of the name broken over two lines ("Cooperative / s") is cut too.
  const text = name.firstChild;
  let offset = 0;
  for (const word of name.textContent.split(' ')) {
    const range = document.createRange();
    range.setStart(text, offset);
    range.setEnd(text, offset + word.length);
    if (range.getClientRects().length > 1) problems.push(`word broken: ${word}`);
    offset += word.length + 1;
  }
  const hidden = box.width < 1 || getComputedStyle(name).visibility !== 'visible';
  if (hidden) problems.push('name hidden');
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}>${width}`);
  }
  for (const element of document.querySelectorAll('.site-header *')) {
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    if (rect.left < 0 || rect.right > width + 0.5) {
      problems.push(`outside: ${element.tagName}.${element.className} ${rect.left}-${rect.right}`);
    }
  }
  return problems;
}"""


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _t(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_the_header_keeps_the_groups_name_everywhere(
    browser, live_server, group, member, organizer
):
    people = {"visitor": None, "member": member, "organizer": organizer}
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems = []
    try:
        for role, user in people.items():
            for language in LANGUAGES:
                if user is not None:
                    user.language = language
                    user.save(update_fields=["language"])
                context.clear_cookies()
                cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
                if user is not None:
                    cookies.append(
                        {"name": settings.SESSION_COOKIE_NAME, "value": _session_of(user)}
                    )
                context.add_cookies([cookie | {"url": live_server.url} for cookie in cookies])
                for width in WIDTHS:
                    case = f"{role} {language} {width}px"
                    page.set_viewport_size({"width": width, "height": 800})
                    page.goto("/events/")
                    header = page.locator("header.site-header")
                    name = header.locator(".brand-name")
                    if name.text_content() != group.name or not name.is_visible():
                        problems.append(f"{case}: the name reads {name.text_content()!r}")
                    problems += [f"{case}: {p}" for p in page.evaluate(HEADER_PROBLEMS)]
                    menu_button = header.locator("details.menu > summary")
                    account = header.locator("details.account-menu > summary")
                    events_link = header.get_by_role(
                        "link", name=_t("Events", language), exact=True
                    )
                    if width < DESKTOP:
                        # The name and one menu button; every link behind it.
                        if not menu_button.is_visible() or account.is_visible():
                            problems.append(f"{case}: not one menu button")
                        if events_link.is_visible():
                            problems.append(f"{case}: links shown before the menu opens")
                        menu_button.click()
                        if not events_link.is_visible():
                            problems.append(f"{case}: the menu does not open")
                        if user is not None:
                            mine = header.get_by_role("link", name=_t("My events", language))
                            if not mine.is_visible():
                                problems.append(f"{case}: the member's pages are not in the menu")
                        problems += [
                            f"{case} (menu open): {p}" for p in page.evaluate(HEADER_PROBLEMS)
                        ]
                        problems += [f"{case} (menu open) axe: {v}" for v in axe_violations(page)]
                        menu_button.click()
                        continue
                    # A desktop: the public links in one row, the member's own behind one menu.
                    links = header.locator("ul.nav:not(.account-links) > li > a")
                    shown = [text for text in links.all_text_contents() if text]
                    if menu_button.is_visible() or not 4 <= len(shown) <= 6:
                        problems.append(f"{case}: the row shows {shown}")
                    if user is None:
                        if account.count():
                            problems.append(f"{case}: a visitor has an account menu")
                        continue
                    mine = header.get_by_role("link", name=_t("My events", language))
                    if mine.is_visible():
                        problems.append(f"{case}: the member's pages are not behind the menu")
                    account.click()
                    admin = header.get_by_role("link", name=_t("Admin", language))
                    if not mine.is_visible() or admin.is_visible() != (role == "organizer"):
                        problems.append(f"{case}: the account menu is not right")
                    problems += [
                        f"{case} (account open): {p}" for p in page.evaluate(HEADER_PROBLEMS)
                    ]
                    problems += [f"{case} (account open) axe: {v}" for v in axe_violations(page)]
                    account.click()
                problems += [f"{role} {language} axe: {v}" for v in axe_violations(page)]
    finally:
        context.close()
    assert problems == []
