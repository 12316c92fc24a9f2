"""Choosing the language: the browser's on a first visit, the footer's switch (set_language,
no JavaScript), and a member's own choice on /me/, which their emails follow too."""

import re

import pytest
from django.core import mail
from django.utils import translation

from core.emails.message import render
from events.emails import EventEmail
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def _spanish(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


def test_spanish_and_english_differ_for_the_strings_checked_here():
    """The checks below would prove nothing if these read the same in both languages."""
    for text in ("Past events", "Your data and privacy", "Log in"):
        assert _spanish(text) != text


def test_first_visit_follows_the_browser(client, group):
    spanish = client.get("/events/", headers={"accept-language": "es-US,es;q=0.9,en;q=0.5"})
    assert _lang(spanish) == "es"
    assert _spanish("Past events") in spanish.content.decode()
    assert "accept-language" in spanish.headers["Vary"].lower()
    english = client.get("/events/", headers={"accept-language": "en-US,en;q=0.9"})
    assert _lang(english) == "en"
    assert "Past events" in english.content.decode()


def test_the_cache_of_public_pages_keeps_each_language_apart(client, group):
    for _ in range(2):  # the second round is served from the cache
        assert _lang(client.get("/", headers={"accept-language": "es"})) == "es"
        assert _lang(client.get("/", headers={"accept-language": "en"})) == "en"


def test_footer_switch_round_trip_without_javascript(client, group):
    page = client.get("/events/")
    switch = '<form method="post" action="/language/" class="language-switch">'
    assert switch in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' not in page.content.decode()
    response = client.post("/language/", {"language": "es", "next": "/events/"})
    assert (response.status_code, response["Location"]) == (302, "/events/")
    assert client.cookies["django_language"].value == "es"
    assert _lang(client.get("/events/", headers={"accept-language": "en"})) == "es"
    client.post("/language/", {"language": "en", "next": "/events/"})
    assert _lang(client.get("/events/", headers={"accept-language": "es"})) == "en"


def test_switch_refuses_get_and_unknown_languages(client, group):
    assert client.get("/language/?language=es").status_code == 405
    response = client.post("/language/", {"language": "xx", "next": "/events/"})
    assert response.status_code == 302
    assert "django_language" not in client.cookies


def test_switch_remembers_a_members_choice_and_their_page_follows_it(client, member):
    client.force_login(member)
    client.post("/language/", {"language": "es", "next": "/me/"})
    member.refresh_from_db()
    assert member.language == "es"
    client.cookies.clear()  # another device: no cookie, an English browser
    client.force_login(member)
    assert _lang(client.get("/me/", headers={"accept-language": "en"})) == "es"


def test_language_on_me_page_is_saved(client, member):
    client.force_login(member)
    form = client.get("/me/notifications/").content.decode()
    assert 'name="language"' in form
    data = {"language": "es", "notify_new_events": "on"}
    response = client.post("/me/notifications/", data)
    assert response.status_code in (200, 302)
    member.refresh_from_db()
    assert member.language == "es"


@pytest.mark.parametrize("language", ["es", "en"])
def test_emails_go_out_in_the_members_language(group, member, language):
    member.language = language
    member.save()
    event = EventFactory(group=group, title="Co-op night")
    message = render(kind=EventEmail.CONFIRMATION, recipient=member, params={"event": event.pk})
    with translation.override(language):
        expected = translation.gettext("You're going: %(title)s") % {"title": "Co-op night"}
    assert message.subject == expected
    assert translation.get_language() == "en"  # the site's language is left as it was


def test_an_email_sent_through_the_worker_is_in_the_members_language(
    client, group, member, django_capture_on_commit_callbacks
):
    member.language = "es"
    member.save()
    event = EventFactory(group=group, title="Co-op night", capacity=10)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/events/{event.slug}/rsvp/", {"going": "yes"}, headers={"accept-language": "en"}
        )
    sent = [m for m in mail.outbox if member.email in m.to]
    assert len(sent) == 1, "no confirmation was sent"
    assert sent[0].subject == _spanish("You're going: %(title)s") % {"title": "Co-op night"}


@pytest.mark.browser
def test_footer_switch_in_chromium_without_javascript(browser, live_server, group):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    urls = []
    tab.on("request", lambda request: urls.append(request.url))
    tab.goto("/events/")
    tab.select_option("#language-choice", "es")
    tab.get_by_role("button", name="Change").click()
    tab.wait_for_url(f"{live_server.url}/events/")
    assert tab.locator("html").get_attribute("lang") == "es"
    assert tab.get_by_role("link", name=_spanish("Past events")).count() >= 1
    context.close()
    assert [u for u in urls if not u.startswith(live_server.url)] == []


# Every page in both languages with axe-core: tests/home/test_every_page_bilingual_browser.py.
