"""Organizers' texts in English and Spanish (django-modeltranslation), each language's address
(?lang=es) with hreflang alternates and in the sitemap, and calendar feeds per language."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import icalendar
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.languages import language_address
from core.markdown import markdown_store
from decisions import services as decisions
from events import services
from events.importer import events_import_ics
from events.models import Breakout, Event, EventStatus
from tests.events.test_admin import _event_form
from tests.factories import BreakoutFactory, EventFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

SPANISH = {
    "title_es": "Cooperativas de datos",
    "summary_es": "¿De quién son los datos que compartimos?",
    "description_es": "Hablamos de **propiedad**.",
}


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


@pytest.fixture
def event(group):
    event = EventFactory(
        title="Data cooperatives",
        summary="Who owns what we share?",
        description="We talk about **ownership**.",
        starts_at=timezone.now() + timedelta(days=5),
        **SPANISH,
    )
    speaker = SpeakerFactory(bio="Builds *co-ops*.", bio_es="Construye *cooperativas*.")
    event.event_speakers.create(speaker=speaker, role="guest", order=1)
    BreakoutFactory(event=event, topic="Ownership", topic_es="Propiedad")
    return event


def test_each_reader_gets_their_language_and_an_empty_spanish_shows_the_english(client, event):
    english = client.get(event.get_absolute_url(), headers={"accept-language": "en"})
    spanish = client.get(event.get_absolute_url(), headers={"accept-language": "es"})
    assert (_lang(english), _lang(spanish)) == ("en", "es")
    page_en, page_es = english.content.decode(), spanish.content.decode()
    assert "Data cooperatives" in page_en and "Cooperativas de datos" not in page_en
    assert "Cooperativas de datos" in page_es
    assert "<strong>propiedad</strong>" in page_es and "<strong>ownership</strong>" in page_en
    assert "Construye <em>cooperativas</em>" in page_es
    assert "Propiedad" in page_es and "Ownership" in page_en
    # No Spanish for this one: Spanish readers see the English.
    plain = EventFactory(title="Only in English", starts_at=timezone.now() + timedelta(days=6))
    shown = client.get(plain.get_absolute_url(), headers={"accept-language": "es"})
    assert (_lang(shown), "Only in English" in shown.content.decode()) == ("es", True)


def test_the_groups_texts_in_spanish(client, group):
    group.tagline_es = "Plataformas que son de quienes las usan"
    group.about_es = "Somos un grupo *abierto*."
    group.save(update_fields=["tagline_es", "about_es", *markdown_store(group)])
    page = client.get("/", headers={"accept-language": "es"}).content.decode()
    assert "Plataformas que son de quienes las usan" in page
    assert "Somos un grupo <em>abierto</em>." in page
    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert "Somos un grupo" not in english


def test_the_admin_shows_both_languages_side_by_side_and_stores_each(client, organizer, event):
    client.force_login(organizer)
    url = reverse("admin:events_event_change", args=[event.pk])
    html = client.get(url).content.decode()
    # The Spanish fields wait behind the "Translation (Spanish)" switch, open once one is
    # written (this event's is).
    switch = html[html.index("Translation (Spanish)") :]
    before = html[: html.index("Translation (Spanish)")]
    assert before.rindex("<details open>") > before.rindex("<fieldset")
    for field in ("title", "summary", "description"):
        assert re.search(rf'<div class="form-row[^"]*field-{field}_en', html), field
        assert re.search(rf'<div class="form-row[^"]*field-{field}_es', switch), field
    assert 'name="title_es" value="Cooperativas de datos"' in html
    # Saving through the admin renders each language's Markdown.
    data = _event_form(event)
    data.update(description_es="Ahora *más*.", title_es="Datos en común")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert (event.title_en, event.title_es) == ("Data cooperatives", "Datos en común")
    assert event.description_html_es == "<p>Ahora <em>más</em>.</p>"
    assert event.description_html_en == "<p>We talk about <strong>ownership</strong>.</p>"


def test_the_english_title_is_required_in_the_admin(client, organizer, event):
    client.force_login(organizer)
    data = _event_form(event)
    data.update(title_en="", title_es="Sólo en español")
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert "title_en" in response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title_es == "Cooperativas de datos"  # nothing stored


def test_every_page_names_its_language_addresses(client, event):
    response = client.get(event.get_absolute_url() + "?page=2", headers={"accept-language": "es"})
    html = response.content.decode()
    base = f"http://testserver{event.get_absolute_url()}"
    links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert links == {
        "en": f"{base}?page=2&amp;lang=en",
        "es": f"{base}?page=2&amp;lang=es",
        "x-default": f"{base}?page=2",
    }
    # The footer's switch goes back to the address without a language of its own.
    assert f'name="next" value="{event.get_absolute_url()}?page=2"' in html


@pytest.mark.parametrize("path", ["/", "/events/", "event", "/privacy/"])
def test_a_language_address_is_read_in_its_language_by_anyone(client, event, path):
    path = event.get_absolute_url() if path == "event" else path
    for _ in range(2):  # the second time from the cache of public pages
        spanish = client.get(f"{path}?lang=es", headers={"accept-language": "en"})
        english = client.get(f"{path}?lang=en", headers={"accept-language": "es"})
        plain = client.get(path, headers={"accept-language": "es"})
        assert (_lang(spanish), _lang(english), _lang(plain)) == ("es", "en", "es")
    assert _lang(client.get(f"{path}?lang=xx", headers={"accept-language": "en"})) == "en"


def test_a_language_address_wins_over_a_members_own_language(client, member, event):
    member.language = "es"
    member.save(update_fields=["language"])
    client.force_login(member)
    assert _lang(client.get("/events/")) == "es"
    assert _lang(client.get("/events/?lang=en")) == "en"


def test_the_sitemap_lists_every_page_in_both_languages(client, event):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.findtext("s:loc", namespaces=ns): u for u in root.findall("s:url", ns)}
    page = f"http://testserver{event.get_absolute_url()}"
    assert {f"{page}?lang=en", f"{page}?lang=es"} <= set(urls)
    assert "http://testserver/?lang=es" in urls
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in urls[f"{page}?lang=es"].findall("x:link", ns)
    }
    assert alternates == {"en": f"{page}?lang=en", "es": f"{page}?lang=es", "x-default": page}
    assert not [loc for loc in urls if "lang=" not in loc]


def _summaries(body: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")}


@pytest.mark.parametrize("feed", ["/calendar.ics", "/calendar/all.ics", "event"])
def test_each_feed_has_an_address_per_language(client, event, feed):
    url = f"/events/{event.slug}/calendar.ics" if feed == "event" else feed
    main = client.get(url, headers={"accept-language": "es"})
    spanish = client.get(f"{url}?lang=es", headers={"accept-language": "en"})
    assert _summaries(main.content) == {"Data cooperatives"}
    assert _summaries(spanish.content) == {"Cooperativas de datos"}
    assert main["ETag"] != spanish["ETag"]
    calendar = icalendar.Calendar.from_ical(spanish.content)
    (vevent,) = calendar.walk("VEVENT")
    assert "Hablamos de propiedad." in str(vevent["DESCRIPTION"])
    # Conditional requests are per language too.
    again = client.get(f"{url}?lang=es", headers={"if-none-match": spanish["ETag"]})
    assert again.status_code == 304
    assert client.get(url, headers={"if-none-match": spanish["ETag"]}).status_code == 200


def test_the_subscribe_page_gives_the_feed_in_the_readers_language(client, event):
    site = settings.SITE_URL
    spanish = client.get("/calendar/", headers={"accept-language": "es"}).content.decode()
    assert f'value="{site}/calendar.ics?lang=es" readonly' in spanish
    assert f'href="{site}/calendar.ics?lang=en" lang="en"' in spanish
    english = client.get("/calendar/", headers={"accept-language": "en"}).content.decode()
    assert f'value="{site}/calendar.ics" readonly' in english
    assert f'href="{site}/calendar.ics?lang=es" lang="es"' in english
    page = client.get(event.get_absolute_url(), headers={"accept-language": "es"})
    assert f"/events/{event.slug}/calendar.ics?lang=es" in page.content.decode()


def test_writers_outside_the_admin_write_the_main_language_whatever_the_reader_reads(
    group, organizer, event
):
    proposal = decisions.proposal_add(
        group=group, author=organizer, kind="topic", title="Bike co-ops", body="Why *not*?"
    )
    with translation.override("es"):
        made = decisions.proposal_to_event(proposal=proposal, by=organizer)
        copy = services.event_duplicate(
            event=event, starts_at=event.starts_at + timedelta(days=7), by=organizer
        )
        ics = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
            "UID:imported-1@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
            "DTSTART:20270105T230000Z\r\nDTEND:20270106T010000Z\r\nSUMMARY:Imported talk\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        events_import_ics(data=ics.encode(), group=group, by=organizer)
    made.refresh_from_db()
    assert (made.title_en, made.title_es, made.description_en) == (
        "Bike co-ops",
        None,
        "Why *not*?",
    )
    imported = Event.objects.get(import_uid="imported-1@example.org")
    assert (imported.title_en, imported.title_es) == ("Imported talk", None)
    copy.refresh_from_db()
    assert (copy.title_en, copy.title_es) == (event.title_en, event.title_es)
    assert (copy.description_html_es, copy.status) == (event.description_html_es, EventStatus.DRAFT)
    assert [(b.topic_en, b.topic_es) for b in Breakout.objects.filter(event=copy)] == [
        ("Ownership", "Propiedad")
    ]


def test_language_address_keeps_the_other_parameters():
    assert language_address("/events/?page=2&lang=en", "es") == "/events/?page=2&lang=es"
    assert language_address("http://h/x/?lang=es", None) == "http://h/x/"
    assert language_address("/", "es") == "/?lang=es"


def test_no_extra_query_for_a_spanish_event_page(client, event):
    counts = {}
    for language in ("en", "es"):
        caches["bodies"].clear()  # rendered, not taken from the cache of public pages
        with CaptureQueriesContext(connection) as queries:
            response = client.get(event.get_absolute_url(), headers={"accept-language": language})
        assert _lang(response) == language
        counts[language] = len(queries)
    assert counts == {"en": 7, "es": 7}
