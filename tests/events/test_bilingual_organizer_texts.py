"""Everything an organizer writes has its Spanish (issue 25, item 9): the program, series,
venues, speaker affiliations and links, the group's resource and "find us also at" links. A
Spanish reader sees each Spanish column, an empty one shows the English, the admin stores
both; and one time format per language on every page and email (24-hour in Spanish)."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.demo import seed_events
from events.models import AgendaItem, Event, Series, Speaker, SpeakerLink, Venue
from groups.models import ResourceLink, SocialLink
from tests.factories import EventFactory, SeriesFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _get(client, url, language):
    caches["bodies"].clear()  # rendered, not taken from the cache of public pages
    return client.get(url, headers={"accept-language": language}).content.decode()


def _text(html: str) -> str:
    """What a reader sees: no scripts (JSON-LD), no tags or attributes (datetime="…")."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def evening(group):
    venue = Venue.objects.create(
        name_en="The Commons",
        name_es="El Común",
        address_en="1 Example Street, 2nd floor",
        address_es="Calle Ejemplo 1, 2.º piso",
        city="New York, NY",
        accessibility_notes_en="Step-free entrance",
        accessibility_notes_es="Entrada sin escalones",
        directions_en="Ring the side door",
        directions_es="Toca el timbre de la puerta lateral",
    )
    series = SeriesFactory(
        group=group,
        name="Guest evenings",
        name_es="Tardes con invitados",
        cadence="Monthly",
        cadence_es="Cada mes",
    )
    event = EventFactory(
        group=group,
        venue=venue,
        series=series,
        title="Data co-ops",
        starts_at=timezone.now() + timedelta(days=5),
    )
    speaker = SpeakerFactory(affiliation="A worker co-op", affiliation_es="Una cooperativa")
    SpeakerLink.objects.create(
        speaker=speaker, label="Website", label_es="Sitio web", url="https://e.org"
    )
    event.event_speakers.create(speaker=speaker, role="guest", order=1)
    AgendaItem.objects.create(
        event=event,
        order=1,
        time=time(18, 30),
        kind="welcome",
        title="Doors open",
        title_es="Apertura de puertas",
        description="Tea first",
        description_es="Primero, té",
    )
    AgendaItem.objects.create(event=event, order=2, kind="qa", title="Questions")
    return event


def test_the_event_page_in_spanish_shows_each_spanish_text_and_english_where_empty(client, evening):
    spanish = _text(_get(client, evening.get_absolute_url(), "es"))
    for text in (
        "Apertura de puertas",
        "Primero, té",
        "Questions",  # no Spanish: the English
        "El Común",
        "Calle Ejemplo 1, 2.º piso",
        "Entrada sin escalones",
        "Toca el timbre de la puerta lateral",
        "Una cooperativa",
        "Tardes con invitados",
    ):
        assert text in spanish, text
    for text in ("Doors open", "The Commons", "Step-free", "A worker co-op", "Guest evenings"):
        assert text not in spanish, text
    english = _text(_get(client, evening.get_absolute_url(), "en"))
    for text in ("Doors open", "Tea first", "The Commons", "1 Example Street", "A worker co-op"):
        assert text in english, text
    assert "El Común" not in english and "Apertura" not in english


def test_series_and_speaker_pages_in_spanish(client, evening):
    series = _text(_get(client, evening.series.get_absolute_url(), "es"))
    assert ("Tardes con invitados" in series, "Cada mes" in series) == (True, True)
    speaker = evening.event_speakers.get().speaker
    page = _text(_get(client, speaker.get_absolute_url(), "es"))
    assert ("Una cooperativa" in page, "Sitio web" in page, "Website" in page) == (
        True,
        True,
        False,
    )
    upcoming = _text(_get(client, "/events/", "es"))
    assert ("El Común" in upcoming, "Una cooperativa" in upcoming) == (True, True)


def test_no_extra_query_for_the_spanish_texts(client, evening):
    counts = {}
    for language in ("en", "es"):
        caches["bodies"].clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(evening.get_absolute_url(), headers={"accept-language": language})
        counts[language] = len(queries)
    assert counts == {"en": 7, "es": 7}


def test_the_groups_links_in_spanish_with_the_english_where_empty(client, group):
    ResourceLink.objects.create(
        group=group,
        title="Co-op guide",
        title_es="Guía de cooperativas",
        note="Short",
        note_es="Breve",
        url="https://e.org/guide",
        order=1,
    )
    ResourceLink.objects.create(group=group, title="Only English", url="https://e.org/en", order=2)
    SocialLink.objects.create(group=group, label="Forum", label_es="Foro", url="https://e.org/f")
    spanish = _text(_get(client, "/", "es"))
    assert [t in spanish for t in ("Guía de cooperativas", "Breve", "Only English", "Foro")] == [
        True
    ] * 4
    assert ("Co-op guide" in spanish, "Forum" in spanish) == (False, False)
    english = _text(_get(client, "/", "en"))
    assert [t in english for t in ("Co-op guide", "Short", "Forum", "Guía", "Foro")] == [
        True,
        True,
        True,
        False,
        False,
    ]


# --- The admin stores both ---------------------------------------------------------------------


def test_the_venue_admin_shows_both_side_by_side_and_stores_each(client, organizer):
    client.force_login(organizer)
    url = reverse("admin:events_venue_add")
    html = client.get(url).content.decode()
    for field in ("name", "address", "accessibility_notes", "directions"):
        assert re.search(rf'<div class="form-row[^"]*field-{field}_en field-{field}_es', html)
    response = client.post(
        url,
        {
            "name_en": "The Hall",
            "name_es": "La Sala",
            "address_en": "2 Main St",
            "address_es": "",
            "city": "",
            "latitude": "",
            "longitude": "",
            "accessibility_notes_en": "Lift",
            "accessibility_notes_es": "Ascensor",
            "directions_en": "",
            "directions_es": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    venue = Venue.objects.get()
    assert (venue.name_en, venue.name_es, venue.address_en, venue.accessibility_notes_es) == (
        "The Hall",
        "La Sala",
        "2 Main St",
        "Ascensor",
    )
    # The English is required, the Spanish is not.
    response = client.post(url, {"name_en": "", "name_es": "Sólo", "address_en": "x"})
    assert "name_en" in response.context["adminform"].form.errors


def test_a_new_venue_address_in_spanish_moves_the_calendar_sequence(client, organizer, evening):
    client.force_login(organizer)
    venue = evening.venue
    url = reverse("admin:events_venue_change", args=[venue.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value or "" for name, value in form.initial.items() if name in form.fields}
    data["address_es"] = "Calle Nueva 2"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Event.objects.get(pk=evening.pk).sequence == evening.sequence + 1


def test_the_series_and_speaker_admin_store_the_spanish(client, organizer, group, evening):
    client.force_login(organizer)
    series = evening.series
    url = reverse("admin:events_series_change", args=[series.pk])
    data = {
        "group": group.pk,
        "name_en": "Guest evenings",
        "name_es": "Tardes",
        "slug": series.slug,
        "description_en": "We *talk*.",
        "description_es": "*Hablamos*.",
        "cadence_en": "",
        "cadence_es": "",
        "recurrence": "monthly_weekday",
        "default_venue": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    series = Series.objects.get(pk=series.pk)
    assert (series.name_es, series.description_html_es) == ("Tardes", "<p><em>Hablamos</em>.</p>")
    speaker = evening.event_speakers.get().speaker
    form = (
        client.get(reverse("admin:events_speaker_change", args=[speaker.pk]))
        .context["adminform"]
        .form
    )
    assert {"affiliation_en", "affiliation_es"} <= set(form.fields)
    assert Speaker.objects.filter(affiliation_es="Una cooperativa").count() == 1


def test_the_event_admin_program_inline_has_both_languages(client, organizer, evening):
    client.force_login(organizer)
    response = client.get(reverse("admin:events_event_change", args=[evening.pk]))
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is AgendaItem
    )
    fields = set(formset.formset.forms[0].fields)
    assert {"title_en", "title_es", "description_en", "description_es"} <= fields
    assert "title" not in fields


def test_the_group_admin_links_have_both_languages(client, group, organizer):
    client.force_login(organizer)
    response = client.get(reverse("admin:groups_group_change", args=[group.pk]))
    names = {
        f.opts.model: set(f.formset.empty_form.fields)
        for f in response.context["inline_admin_formsets"]
    }
    assert {"title_en", "title_es", "note_en", "note_es"} <= names[ResourceLink]
    assert {"label_en", "label_es"} <= names[SocialLink]


# --- One time format per language --------------------------------------------------------------


@pytest.fixture
def seeded(group):
    seed_events(group)
    return Event.objects.get(slug="how-nyc-supports-cooperatives")


TWELVE_HOUR_IN_SPANISH = re.compile(r"\d\s*[ap]\.\s?m\.", re.I)


def test_spanish_pages_are_24_hour_and_english_12_hour(client, seeded):
    for url in (seeded.get_absolute_url(), "/events/"):
        spanish = _text(_get(client, url, "es"))
        assert "18:30" in spanish, url
        assert not TWELVE_HOUR_IN_SPANISH.search(spanish), url
        english = _text(_get(client, url, "en"))
        assert "6:30" in english, url
        assert "18:30" not in english, url
    # The program's own times (4 of them on the seed's evening).
    spanish = _text(_get(client, seeded.get_absolute_url(), "es"))
    assert [t in spanish for t in ("18:45", "19:15", "20:00")] == [True] * 3
    english = _text(_get(client, seeded.get_absolute_url(), "en"))
    assert [t in english for t in ("6:45 PM", "7:15 PM", "8:00 PM")] == [True] * 3
    assert "Apertura de puertas y presentaciones" in spanish


@pytest.mark.parametrize("language", ["es", "en"])
def test_emails_use_the_readers_time_format(group, language, django_capture_on_commit_callbacks):
    # 22:30 UTC on a July evening is 6:30 pm in New York.
    starts = datetime(2031, 7, 10, 22, 30, tzinfo=UTC)
    event = EventFactory(group=group, starts_at=starts, ends_at=starts + timedelta(hours=2))
    Venue.objects.filter(pk=event.venue_id).update(name_es="El Común")
    reader = UserFactory(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_set(event=event, member=reader, going=True)
    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    for body in (message.body, _text(html)):
        if language == "es":
            assert "18:30–20:30" in body
            assert not TWELVE_HOUR_IN_SPANISH.search(body)
            assert "El Común" in body
        else:
            assert "6:30–8:30 PM" in body
            assert "18:30" not in body
            assert "El Común" not in body


def test_the_spanish_feed_names_the_venue_and_affiliation_in_spanish(client, evening):
    import icalendar

    for language, place, affiliation in (
        ("es", "El Común", "Una cooperativa"),
        ("en", "The Commons", "A worker co-op"),
    ):
        body = client.get(f"/calendar.ics?lang={language}").content
        (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(vevent["LOCATION"]).startswith(place), language
        assert affiliation in str(vevent["DESCRIPTION"]), language


@pytest.mark.parametrize(
    ("language", "shown", "never"),
    [("es", "18:30", ("6:30", "p. m.", "p.m.")), ("en", "6:30 PM", ("18:30", "p.m."))],
)
def test_every_django_time_format_is_the_languages_one(language, shown, never):
    """The board, comments and proposals (includes/time.html, events.timefmt: a moment to
    come is written in full) and the attendees' check-in times (|time, Django's formats, made
    the language's one format by config/formats) agree."""
    from types import SimpleNamespace

    import time_machine
    from django.template import Context, Template
    from django.utils import translation

    moment = datetime(2026, 12, 8, 18, 30, tzinfo=UTC)
    template = Template(
        '{% include "includes/time.html" with value=moment %} {{ moment|time }} '
        "{{ moment|date:'SHORT_DATETIME_FORMAT' }} {{ moment.time|time }}"
    )
    group = SimpleNamespace(zone=UTC)
    with (
        translation.override(language),
        timezone.override(UTC),
        time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False),
    ):
        text = _text(template.render(Context({"moment": moment, "group": group})))
    assert text.count(shown) == 4, text
    assert [part for part in never if part in text] == []


def test_a_duplicated_evening_keeps_its_programs_spanish(organizer, evening):
    copy = services.event_duplicate(
        event=evening, starts_at=evening.starts_at + timedelta(days=28), by=organizer
    )
    assert list(copy.agenda_items.values_list("title_en", "title_es", "description_es")) == [
        ("Doors open", "Apertura de puertas", "Primero, té"),
        ("Questions", None, None),
    ]
