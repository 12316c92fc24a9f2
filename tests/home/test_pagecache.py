"""Render once, serve many (home/pagecache.py): public pages for visitors without a session
come from the cache until the data changes, and never carry another visitor's token or a
member's markup."""

import gzip
import re
from datetime import timedelta

import brotli
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.generations import PAGES_KEY
from core.models import ChangeGeneration
from events import services as event_services
from events.models import Event
from groups.models import Membership, Role
from groups.permissions import organizers_group
from home.pagecache import CSRF_HOLE
from tests.factories import EventFactory, MembershipFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTACT = {"name": "Rosa", "email": "rosa@example.org", "message": "I can host in March."}


def _queries(client, url, **headers) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries), response.content


@pytest.fixture
def event(group):
    return EventFactory(
        title="Commons at the Library", starts_at=timezone.now() + timedelta(days=3)
    )


@pytest.mark.parametrize("url", ["/", "/events/", "/events/past/", "detail", "/photos/"])
def test_a_second_visitor_gets_the_page_in_one_query(client, event, url):
    url = event.get_absolute_url() if url == "detail" else url
    first, body = _queries(client, url)
    again, cached = _queries(Client(), url)
    # One query: the group with the generation of everything the page shows (the group
    # middleware reads it for every request; hello-world pays it too).
    # The home page's contact form has a token of each visitor's own.
    assert (first > 1, again, TOKEN.sub("", cached.decode())) == (
        True,
        1,
        TOKEN.sub("", body.decode()),
    )


def test_a_change_by_each_kind_of_writer_is_on_the_next_page(client, group, event, organizer):
    url = event.get_absolute_url()
    assert b"Commons at the Library" in client.get(url).content
    event.title = "Commons at the Branch"
    event_services.event_save(event=event, by=organizer, changed_fields=["title"])
    assert b"Commons at the Branch" in client.get(url).content
    speaker = SpeakerFactory(name="Ana Guest")
    event.event_speakers.create(speaker=speaker, role="guest")
    assert b"Ana Guest" in client.get(url).content
    event.event_speakers.all().delete()  # no newer timestamp behind: the counter says it
    assert b"Ana Guest" not in client.get(url).content
    host = UserFactory(display_name="Host Hana")
    MembershipFactory(group=group, user=host)
    event.hosts.add(host)  # many-to-many
    assert b"Host Hana" in client.get(url).content
    home = client.get("/").context
    MembershipFactory(group=group)
    assert client.get("/").context["counts"]["members"] == home["counts"]["members"] + 1


@pytest.mark.django_db(transaction=True)
def test_committed_changes_move_the_generation_every_process_reads(group):
    """What another worker sees: the counter row, bumped after the commit."""
    event = EventFactory(title="Before", starts_at=timezone.now() + timedelta(days=3))
    client = Client()
    url = event.get_absolute_url()
    assert b"Before" in client.get(url).content
    counter = ChangeGeneration.objects.get(key=PAGES_KEY).value
    Event.objects.get(pk=event.pk).delete()  # as a shell would: no service, no timestamp
    assert ChangeGeneration.objects.get(key=PAGES_KEY).value == counter + 1
    assert client.get(url).status_code == 404


def test_an_event_that_ends_leaves_the_upcoming_list_without_any_write(client, group):
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    EventFactory(title="Soon Over", starts_at=start, ends_at=start + timedelta(hours=2))
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        assert b"Soon Over" in client.get("/events/").content
        assert _queries(Client(), "/events/")[0] == 1  # cached
    with time_machine.travel(start + timedelta(hours=2, seconds=1), tick=False):
        assert b"Soon Over" not in client.get("/events/").content
        assert b"Soon Over" in client.get("/events/past/").content


def test_each_visitor_gets_a_token_of_their_own_and_it_works(group, organizer):
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get("/")
        html = response.content.decode()
        assert CSRF_HOLE not in html
        tokens.append(TOKEN.findall(html))
        assert (
            visitor.post("/contact/", {**CONTACT, "csrfmiddlewaretoken": tokens[-1][0]}).status_code
            == 302
        )
    assert len(tokens[0]) == len(tokens[1]) == 1
    assert tokens[0] != tokens[1]
    outsider = Client(enforce_csrf_checks=True)
    outsider.get("/events/")  # a cookie of its own, then someone else's token
    assert (
        outsider.post("/contact/", {**CONTACT, "csrfmiddlewaretoken": tokens[0][0]}).status_code
        == 403
    )


def test_members_never_get_the_visitors_page_and_visitors_never_get_theirs(client, member, event):
    url = event.get_absolute_url()
    visitor_html = Client().get(url).content.decode()
    assert "Log out" not in visitor_html
    client.force_login(member)
    member_html = client.get(url).content.decode()
    assert "Log out" in member_html and 'name="csrfmiddlewaretoken"' in member_html
    assert "Log out" not in Client().get(url).content.decode()
    assert _queries(client, url)[0] > 1  # rendered for the member every time


def test_made_up_parameters_and_waiting_messages_are_rendered_not_cached(client, event):
    client.get("/events/")
    assert _queries(Client(), "/events/?utm_source=x")[0] > 1
    assert _queries(Client(), "/events/?utm_source=x")[0] > 1
    assert _queries(Client(), "/events/?page=1")[0] > 1  # its own page, then cached
    assert _queries(Client(), "/events/?page=1")[0] == 1
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert _queries(visitor, "/events/")[0] > 1


def test_cached_pages_are_kept_compressed_and_decode_to_the_page(client, event):
    url = event.get_absolute_url()
    plain = client.get(url).content
    br = Client().get(url, headers={"accept-encoding": "br, gzip"})
    gz = Client().get(url, headers={"accept-encoding": "gzip"})
    assert (br["Content-Encoding"], gz["Content-Encoding"]) == ("br", "gzip")
    assert brotli.decompress(br.content) == plain == gzip.decompress(gz.content)
    assert len(br.content) < len(gz.content) < len(plain)
    assert "Accept-Encoding" in br["Vary"] and "Cookie" in br["Vary"]


def test_a_page_with_a_token_is_never_brotli_and_gets_random_padding(group):
    sizes = set()
    for _ in range(6):
        response = Client().get("/", headers={"accept-encoding": "br, gzip"})
        assert response["Content-Encoding"] == "gzip"
        assert b"csrfmiddlewaretoken" in gzip.decompress(response.content)
        sizes.add(len(response.content))
    assert len(sizes) > 1  # Heal the Breach: up to 100 random bytes in each gzip header


def test_a_member_page_is_gzip_with_padding_not_brotli(client, member, event):
    client.force_login(member)
    response = client.get(event.get_absolute_url(), headers={"accept-encoding": "br, gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert Membership.objects.get(user=member).role == Role.MEMBER


def _page(person, url) -> tuple[int, str]:
    visitor = Client()
    if person is not None:
        visitor.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(url)
    assert response.status_code == 200
    return len(queries), TOKEN.sub("", response.content.decode())


def test_members_with_the_same_version_share_one_copy_and_it_is_what_they_would_see(
    group, member, organizer, event
):
    """Every version key covers all that differs: for people of each kind, a page rendered
    for them alone equals the copy the cache hands them."""
    from django.core.cache import caches

    from events import services as rsvp_services

    url = event.get_absolute_url()
    other = MembershipFactory(group=group, role=Role.MEMBER).user
    going = MembershipFactory(group=group, role=Role.MEMBER).user
    host = MembershipFactory(group=group, role=Role.MEMBER).user
    second_host = MembershipFactory(group=group, role=Role.MEMBER).user
    event.hosts.add(host, second_host)
    rsvp_services.rsvp_set(event=event, member=going, going=True)
    # A Django permission given by hand in the admin does not make an organizer: the role
    # does (groups.access.Viewer), so this member shares the plain members' copy.
    by_hand = MembershipFactory(group=group, role=Role.MEMBER).user
    by_hand.user_permissions.add(Permission.objects.get(codename="change_event"))
    # Everything personal that is not in the key differs between the plain members: a
    # template that starts showing any of it fails here (each is served the first's copy).
    for person, name, zone in ((other, "Other Person", ""), (by_hand, "By Hand", "")):
        person.display_name, person.email, person.time_zone = name, f"{person.pk}@example.org", zone
        person.save()
    # The co-organizer role (and the "Organizers" permission group derived from it, as
    # groups.services keeps it): an organizer to the page, with a version of their own.
    co_organizer = MembershipFactory(group=group, role=Role.CO_ORGANIZER).user
    co_organizer.groups.add(organizers_group())
    people = [member, other, going, host, second_host, organizer, co_organizer, by_hand]

    rendered = {}
    for person in people:
        caches["bodies"].clear()
        rendered[person.pk] = _page(person, url)[1]
    versions = {}
    for person in people:
        visitor = Client()
        visitor.force_login(person)
        response = visitor.get(url)
        versions[person.pk] = response.wsgi_request.event_page_version
        assert TOKEN.sub("", response.content.decode()) == rendered[person.pk]
    # The plain members share a version; everyone else has one of their own.
    assert versions[member.pk] == versions[other.pk] == versions[by_hand.pk]
    assert len({versions[p.pk] for p in people}) == len(people) - 2
    # The second plain member is served the first one's copy. A signed-in hit's queries:
    # the session (Redis in production), the user, the group with the generation, and the
    # version row (RSVP, host duty and role in one).
    caches["bodies"].clear()
    assert _page(member, url)[0] > 4
    assert _page(other, url) == (4, rendered[other.pk])


def test_head_is_answered_from_the_cache_but_never_fills_it(client, event):
    url = event.get_absolute_url()
    assert client.head(url).status_code == 200
    assert _queries(Client(), url)[0] > 1  # the HEAD left nothing behind
    head = Client().head(url)
    assert head.status_code == 200 and head["Content-Type"].startswith("text/html")
