"""The embed (/embed/events/), its frame policy, oEmbed, and the snippet on /calendar/."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events import timefmt
from events.models import Event, EventStatus
from groups.models.groups import validate_embed_origins
from tests.factories import EventFactory, VenueFactory, bulk_events
from tests.groups.admin_form import group_form

pytestmark = pytest.mark.django_db

ORIGINS = "https://allies.example.org\nhttp://127.0.0.41:8041\n"


@pytest.fixture
def listed(group):
    group.embed_origins = ORIGINS
    group.save()
    return group


def _csp(response) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


def _titles(response) -> list[str]:
    return re.findall(r'class="title"[^>]*>([^<]+)<', response.content.decode())


def test_embed_lists_the_next_published_events_soonest_first(client, group):
    now = timezone.now()
    later = EventFactory(title="Later", starts_at=now + timedelta(days=9))
    EventFactory(title="Past", starts_at=now - timedelta(days=3))
    EventFactory(title="Draft", status=EventStatus.DRAFT, starts_at=now + timedelta(days=1))
    sooner = EventFactory(title="Sooner", starts_at=now + timedelta(days=2))
    response = client.get("/embed/events/")
    assert response.status_code == 200
    assert _titles(response) == ["Sooner", "Later"]
    body = response.content.decode()
    for event in (sooner, later):
        url = f"http://127.0.0.1:8000/events/{event.slug}/"
        assert f'<a class="title" href="{url}" target="_blank" rel="noopener">' in body
        when = timefmt.format_range(event.starts_at, event.ends_at, group.zone)
        start = event.starts_at.astimezone(group.zone).isoformat()
        assert f'<time class="when" datetime="{start}">{when}</time>' in body
        assert f'<span class="place">{event.venue.name}, {event.venue.address}, ' in body


def test_embed_hides_an_address_kept_for_attendees(client, group):
    venue = VenueFactory(name="Back room", address="1 Secret Street", city="Brooklyn")
    EventFactory(venue=venue, address_for_attendees_only=True)
    body = client.get("/embed/events/").content.decode()
    assert '<span class="place">Back room, Brooklyn</span>' in body
    assert "Secret Street" not in body


@pytest.mark.parametrize(("n", "shown"), [("", 5), ("3", 3), ("20", 20), ("99", 20), ("x", 5)])
def test_embed_shows_n_events_up_to_twenty(client, group, n, shown):
    now = timezone.now()
    for day in range(25):
        EventFactory(starts_at=now + timedelta(days=day + 1))
    response = client.get("/embed/events/", {"n": n} if n else {})
    assert len(_titles(response)) == shown


def test_embed_sets_no_cookie_even_for_a_signed_in_member(client, group, member):
    EventFactory()
    assert client.get("/embed/events/").cookies == {}
    client.force_login(member)
    before = dict(client.cookies)
    response = client.get("/embed/events/?lang=es&theme=dark")
    assert "Set-Cookie" not in response.headers
    assert response.cookies == {}
    assert dict(client.cookies) == before


def test_embed_may_be_framed_by_the_listed_origins_only(client, listed):
    response = client.get("/embed/events/")
    assert _csp(response)["frame-ancestors"] == "https://allies.example.org http://127.0.0.41:8041"
    assert "X-Frame-Options" not in response.headers
    # The rest of the policy is the site's own.
    assert _csp(response)["script-src"] == "'self'"
    assert _csp(response)["style-src"] == "'self'"


def test_embed_without_listed_origins_refuses_every_frame(client, group):
    response = client.get("/embed/events/")
    assert _csp(response)["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ["/", "/events/", "/calendar/", "/series/x/", "/oembed"])
def test_every_other_page_still_refuses_frames(client, listed, path):
    EventFactory()
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert _csp(response)["frame-ancestors"] == "'none'"


def test_event_pages_still_refuse_frames(client, listed):
    event = EventFactory()
    response = client.get(event.get_absolute_url())
    assert (response.status_code, response["X-Frame-Options"]) == (200, "DENY")
    assert _csp(response)["frame-ancestors"] == "'none'"


def test_embed_speaks_the_address_language_or_the_groups(client, group):
    EventFactory(title_en="Co-ops", title_es="Cooperativas")
    english = client.get("/embed/events/", headers={"accept-language": "es"})
    assert (english["Content-Language"], _titles(english)) == ("en", ["Co-ops"])
    assert '<html lang="en">' in english.content.decode()
    spanish = client.get("/embed/events/?lang=es")
    assert (spanish["Content-Language"], _titles(spanish)) == ("es", ["Cooperativas"])
    assert "Próximos eventos de" in spanish.content.decode()


@pytest.mark.parametrize(
    ("theme", "html"),
    [
        ("light", '<html lang="en" class="theme-light">'),
        ("dark", '<html lang="en" class="theme-dark">'),
        ("", '<html lang="en">'),
        ("pink", '<html lang="en">'),
    ],
)
def test_embed_theme(client, group, theme, html):
    assert html in client.get("/embed/events/", {"theme": theme}).content.decode()


def test_embed_needs_no_script_and_has_its_own_stylesheet(client, group):
    EventFactory()
    body = client.get("/embed/events/").content.decode()
    assert "<script" not in body
    assert "style=" not in body
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', body) == ["/static/css/embed.css"]


def test_one_event_embed_shows_that_event_and_not_drafts(client, group):
    event = EventFactory(title="Data co-ops")
    draft = EventFactory(status=EventStatus.DRAFT)
    response = client.get(f"/embed/events/{event.slug}/")
    assert response.status_code == 200
    assert "<h1>Data co-ops</h1>" in response.content.decode()
    assert _titles(response) == []  # the heading says it; the link below opens the page
    assert (
        f'<a class="more" href="http://127.0.0.1:8000/events/{event.slug}/" target="_blank" '
        'rel="noopener">See it and RSVP</a>'
    ) in response.content.decode()
    assert client.get(f"/embed/events/{draft.slug}/").status_code == 404
    assert client.get("/embed/events/nothing/").status_code == 404


def _add_events(group, count):
    """count events, half past and half upcoming, on three venues (tests/factories.py)."""
    venues = [VenueFactory() for _ in range(3)]
    Event.objects.bulk_create(bulk_events(group, count, venues))


# The group and the page counter (middleware), then the events with their venues.
EMBED_QUERIES = 2


@pytest.mark.parametrize("count", [10, 10_000])
def test_embed_queries_do_not_grow_with_events(client, group, count, django_assert_num_queries):
    _add_events(group, count)
    with django_assert_num_queries(EMBED_QUERIES):
        response = client.get("/embed/events/?n=20")
    assert len(_titles(response)) == min(20, count // 2)
    # One event's embed and its oEmbed answer: the group, then the event (with its venue).
    slug = Event.objects.order_by("-pk").values_list("slug", flat=True).first()
    with django_assert_num_queries(2):
        assert client.get(f"/embed/events/{slug}/").status_code == 200
    with django_assert_num_queries(2):
        url = f"http://127.0.0.1:8000/events/{slug}/"
        assert client.get("/oembed", {"url": url}).status_code == 200


# --- oEmbed -------------------------------------------------------------------------------------


def test_oembed_answers_rich_json_for_a_public_event_page(client, group):
    event = EventFactory(title="Data co-ops")
    url = f"http://127.0.0.1:8000/events/{event.slug}/"
    response = client.get("/oembed", {"url": url, "format": "json"})
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    data = json.loads(response.content)
    src = f"http://127.0.0.1:8000/embed/events/{event.slug}/"
    assert data == {
        "version": "1.0",
        "type": "rich",
        "title": "Data co-ops",
        "provider_name": group.name,
        "provider_url": "http://127.0.0.1:8000/",
        "html": f'<iframe src="{src}" title="Data co-ops" width="480" height="160" '
        'loading="lazy" referrerpolicy="no-referrer"></iframe>',
        "width": 480,
        "height": 160,
        "cache_age": 300,
    }
    # An address with ?lang= and in capitals is the same page.
    other = client.get(
        "/oembed", {"url": f"http://127.0.0.1:8000/events/{event.slug.upper()}/?lang=es"}
    )
    assert other.status_code == 200
    smaller = json.loads(client.get("/oembed", {"url": url, "maxwidth": 300}).content)
    assert smaller["width"] == 300


def test_oembed_refuses_what_is_not_a_public_event_page(client, group):
    draft = EventFactory(status=EventStatus.DRAFT)
    event = EventFactory()
    for url in (
        f"http://127.0.0.1:8000/events/{draft.slug}/",
        "http://127.0.0.1:8000/events/nothing/",
        f"https://elsewhere.example/events/{event.slug}/",
        "http://127.0.0.1:8000/events/",
        "http://127.0.0.1:8000/series/x/",
        "not a url",
        "",
    ):
        assert client.get("/oembed", {"url": url, "format": "json"}).status_code == 404, url


def test_oembed_xml_is_not_implemented(client, group):
    event = EventFactory()
    url = f"http://127.0.0.1:8000/events/{event.slug}/"
    assert client.get("/oembed", {"url": url, "format": "xml"}).status_code == 501


def test_event_page_announces_its_oembed(client, group):
    event = EventFactory()
    body = client.get(event.get_absolute_url()).content.decode()
    href = (
        "http://127.0.0.1:8000/oembed?url=http%3A%2F%2F127.0.0.1%3A8000%2Fevents%2F"
        f"{event.slug}%2F&amp;format=json"
    )
    assert (
        f'<link rel="alternate" type="application/json+oembed" href="{href}" title="{event.title}">'
    ) in body


def test_calendar_page_shows_the_snippet_to_everyone(client, group):
    body = client.get("/calendar/").content.decode()
    snippet = (
        "&lt;iframe src=&quot;http://127.0.0.1:8000/embed/events/&quot; title=&quot;Next "
        f"events of {group.name}&quot; width=&quot;100%&quot; height=&quot;420&quot;"
    )
    assert snippet in body
    assert "ask them to add your site" in body


# --- The organizers' list of origins ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["https://example.org", "http://127.0.0.41:8041\nhttps://a.b.example.org\n\n", ""],
)
def test_origins_accepted(value):
    validate_embed_origins(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/",
        "https://example.org/page",
        "example.org",
        "ftp://example.org",
        "https://*.example.org",
        "https://example.org 'unsafe-inline'",
        "https://example.org;script-src *",
    ],
)
def test_origins_refused(value):
    with pytest.raises(ValidationError):
        validate_embed_origins(value)


def _group_data(group, **changes):
    return group_form(group, **changes)


def test_admin_saves_the_origins_and_shows_an_error_next_to_the_field(client, group, organizer):
    client.force_login(organizer)
    url = reverse("admin:groups_group_change", args=[group.pk])
    response = client.post(
        url, _group_data(group, embed_origins="https://ok.example\nexample.org/x")
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["embed_origins"]
    body = response.content.decode()
    field = body.index('id="id_embed_origins"')
    error = body.index("Not an origin: example.org/x")
    assert abs(field - error) < 1500  # the message sits by its field
    group.refresh_from_db()
    assert group.embed_origins == ""
    response = client.post(url, _group_data(group, embed_origins=ORIGINS))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.embed_origin_list == ["https://allies.example.org", "http://127.0.0.41:8041"]
