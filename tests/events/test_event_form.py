"""The event form's behaviour behind its calm look: rows kept in the order shown, a new speaker
named in its row, hosts searched among the group's members, the Spanish switch."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from events.models import Event, Speaker, SpeakerRole
from tests.factories import (
    EventFactory,
    MembershipFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def _rows(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def _new_event(group, **changes) -> dict:
    data = {
        "group": group.pk,
        "title_en": "Who owns the app?",
        "slug": "who-owns-the-app",
        "starts_at": "2026-11-10T18:30",
        "ends_at": "2026-11-10T20:30",
        "max_guests": 0,
        **_rows("event_speakers", []),
        **_rows("agenda_items", []),
        **_rows("breakouts", []),
    }
    data.update(changes)
    return data


def test_new_event_keeps_rows_in_the_order_shown_and_names_a_new_speaker(client, group, organizer):
    known = SpeakerFactory(name="Michaela")
    client.force_login(organizer)
    data = _new_event(
        group,
        **_rows(
            "event_speakers",
            [
                {"speaker": known.pk, "role": SpeakerRole.GUEST},
                {"new_speaker": "Ana Lima", "role": SpeakerRole.MODERATOR},
            ],
        ),
        **_rows(
            "agenda_items",
            [
                {"time": "18:30", "kind": "welcome", "title_en": "Doors open"},
                {"time": "18:45", "kind": "presentation", "title_en": "The talk"},
                {"time": "19:15", "kind": "breakouts", "title_en": "Breakouts"},
                {"time": "20:00", "kind": "qa", "title_en": "Questions"},
            ],
        ),
        **_rows("breakouts", [{"topic_en": "Capital"}, {"topic_en": "Law", "prompt_en": "How?"}]),
    )
    response = client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.context["errors"]
    event = Event.objects.get(slug="who-owns-the-app")
    assert event.starts_at == datetime(2026, 11, 10, 18, 30, tzinfo=NY)
    assert list(event.agenda_items.values_list("order", "title")) == [
        (0, "Doors open"),
        (1, "The talk"),
        (2, "Breakouts"),
        (3, "Questions"),
    ]
    assert list(event.breakouts.values_list("order", "topic", "prompt")) == [
        (0, "Capital", ""),
        (1, "Law", "How?"),
    ]
    assert list(event.event_speakers.values_list("speaker__name", "role")) == [
        ("Michaela", SpeakerRole.GUEST),
        ("Ana Lima", SpeakerRole.MODERATOR),
    ]
    assert Speaker.objects.get(name="Ana Lima").slug == "ana-lima"


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        ({"role": SpeakerRole.MODERATOR}, {"speaker": ["Choose a speaker or name a new one."]}),
        (
            {"speaker": "KNOWN", "new_speaker": "Ana", "role": SpeakerRole.GUEST},
            {"new_speaker": ["Choose a speaker or name a new one, not both."]},
        ),
    ],
)
def test_a_speaker_row_needs_one_speaker(client, group, organizer, row, errors):
    known = SpeakerFactory()
    row = {k: known.pk if v == "KNOWN" else v for k, v in row.items()}
    client.force_login(organizer)
    data = _new_event(group, **_rows("event_speakers", [row]))
    response = client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 200
    [formset] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "event_speakers"
    ]
    assert formset.formset.errors == [errors]
    assert not Event.objects.exists()
    assert Speaker.objects.count() == 1


def test_hosts_are_searched_among_the_groups_members(client, group, organizer):
    member = MembershipFactory(group=group, user=UserFactory(display_name="Rosa Member")).user
    UserFactory(display_name="Rosa Stranger")
    client.force_login(organizer)
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "events", "model_name": "event", "field_name": "hosts", "term": "Rosa"},
    ).json()
    assert [row["id"] for row in found["results"]] == [str(member.pk)]


def test_the_spanish_switch_is_open_only_when_a_spanish_text_exists(client, organizer):
    english = EventFactory(title_es="")
    bilingual = EventFactory(title_es="Quién es dueño de la app")
    client.force_login(organizer)

    def details(event):
        html = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
        start = html.index("Translation (Spanish)")
        return html[html.rindex("<details", 0, start) : start]

    assert details(english).startswith("<details>")
    assert details(bilingual).startswith("<details open>")


def _change_page_queries(client, event) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:events_event_change", args=[event.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_change_page_queries_do_not_grow_with_its_rows(client, group, organizer):
    from tests.events.conftest import build_full_event

    small = EventFactory()
    full = build_full_event()  # 3 speakers, 6 program items, 4 breakouts
    client.force_login(organizer)
    client.get(reverse("admin:events_event_change", args=[small.pk]))  # the admin's caches
    assert (_change_page_queries(client, small), _change_page_queries(client, full)) == (18, 18)


def test_a_new_evening_of_a_series_takes_its_usual_venue_unless_one_is_chosen(
    client, group, organizer
):
    from tests.factories import SeriesFactory, VenueFactory

    usual, other = VenueFactory(), VenueFactory()
    series = SeriesFactory(group=group, default_venue=usual)
    client.force_login(organizer)
    add = reverse("admin:events_event_add")
    client.post(add, _new_event(group, series=series.pk))
    client.post(add, _new_event(group, series=series.pk, slug="second", venue=other.pk))
    client.post(
        add,
        _new_event(
            group,
            series=series.pk,
            slug="online",
            is_online="on",
            online_url="https://meet.example.org/co-ops",
        ),
    )
    assert list(Event.objects.order_by("pk").values_list("slug", "venue")) == [
        ("who-owns-the-app", usual.pk),
        ("second", other.pk),
        ("online", None),
    ]
