"""A member's own pages kept per person (home/personal.py through home/pagecache.py): the
member home, the /me/ sections, a discussion and a poll come from the cache the second time,
each person gets their own copy and never another's, and a copy ends when what it shows
changes: a row (the page counter), a second factor (allauth's table), the clock (a poll
closing, a mute ending)."""

import gzip
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversation.models import Mute
from decisions.models import Option, Poll
from groups.models import Role
from tests.decisions.rolls import enrol
from tests.factories import MembershipFactory, ReplyFactory, ThreadFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A hit: the session, the user, the group with the page counter.
HIT = 3
ME_PAGES = ("/", "/me/", "/me/notifications/", "/me/calendar/", "/me/data/")


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _get(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), TOKEN.sub("", response.content.decode())


def _person(group, name, email, role=Role.MEMBER):
    user = MembershipFactory(group=group, role=role).user
    user.display_name, user.email = name, email
    user.save()
    return user


@pytest.fixture
def two(group):
    """Two members whose names and addresses differ: what each page shows of its reader."""
    return (
        _person(group, "Ada Okafor", "ada@example.org"),
        _person(group, "Bea Silva", "bea@example.org"),
    )


@pytest.fixture
def poll(group, organizer):
    now = timezone.now()
    poll = Poll.objects.create(
        group=group,
        question="Which evening suits you best?",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
        created_by=organizer,
    )
    Option.objects.bulk_create(
        Option(poll=poll, label=label, position=i) for i, label in enumerate(("Tue", "Thu"))
    )
    return poll


@pytest.fixture
def thread(group, two):
    thread = ThreadFactory(group=group, author=two[0], title="Spring venues")
    ReplyFactory(thread=thread, author=two[1], body="The library has a **garden**.")
    return thread


def test_each_member_gets_their_own_copy_and_it_is_what_they_would_see(two, thread, poll):
    """For every page: rendered for each person alone (the cache empty), then served to
    both from the cache in HIT queries, each their own, never the other's."""
    ada, bea = two
    urls = [*ME_PAGES, "/me/security/", thread.get_absolute_url(), poll.get_absolute_url()]
    clients = {ada.pk: _signed_in(ada), bea.pk: _signed_in(bea)}
    for url in urls:
        rendered = {}
        for person in two:
            caches["bodies"].clear()
            rendered[person.pk] = _get(clients[person.pk], url)[1]
        # Both copies are now stored (the last render of each was kept): served as is.
        caches["bodies"].clear()
        for person in two:
            _get(clients[person.pk], url)
        for person in two:
            queries, html = _get(clients[person.pk], url)
            # The security page reads the person's second factors for its version.
            assert (queries, html) == (HIT + (url == "/me/security/"), rendered[person.pk]), url


def test_the_me_pages_show_each_reader_their_own_details(two):
    ada, bea = two
    clients = [_signed_in(ada), _signed_in(bea)]
    for url in ("/me/", "/me/security/"):
        for client, mine, theirs in ((clients[0], ada, bea), (clients[1], bea, ada)):
            for _ in range(2):  # rendered, then from the cache
                html = _get(client, url)[1]
                shown = mine.email if url == "/me/security/" else mine.display_name
                hidden = theirs.email if url == "/me/security/" else theirs.display_name
                assert (shown in html, hidden in html) == (True, False), url


def test_a_change_the_member_saves_is_on_their_next_page(two):
    ada = two[0]
    client = _signed_in(ada)
    assert 'value="Ada Okafor"' in _get(client, "/me/")[1]
    assert 'value="Ada Okafor"' in _get(client, "/me/")[1]  # the copy kept
    ada.display_name = "Ada O."
    ada.save()
    html = _get(client, "/me/")[1]
    assert ('value="Ada O."' in html, "Ada Okafor" in html) == (True, False)


def test_a_reply_by_someone_else_is_on_the_next_page(two, thread):
    ada, bea = two
    client = _signed_in(ada)
    url = thread.get_absolute_url()
    _get(client, url)
    assert _get(client, url)[0] == HIT
    ReplyFactory(thread=thread, author=bea, body="Or the *rooftop*.")
    assert "<em>rooftop</em>" in _get(client, url)[1]


def test_a_new_second_factor_is_on_the_security_page_though_no_counter_moves(two):
    ada = two[0]
    client = _signed_in(ada)
    assert "Set up an authenticator app" in _get(client, "/me/security/")[1]
    assert _get(client, "/me/security/")[0] == HIT + 1
    Authenticator.objects.create(user=ada, type=Authenticator.Type.TOTP, data={"secret": "x"})
    html = _get(client, "/me/security/")[1]
    assert ("Turn off the app" in html, "Set up an authenticator app" in html) == (True, False)


def test_a_kept_poll_page_ends_when_the_poll_closes(two, poll):
    enrol(poll, two[0])  # on the poll's roll of voters, as if a member when it opened
    client = _signed_in(two[0])
    url = poll.get_absolute_url()
    assert ("Cast my ballot" in _get(client, url)[1], _get(client, url)[0]) == (True, HIT)
    with time_machine.travel(poll.closes_at + timedelta(minutes=1)):
        queries, html = _get(client, url)
    assert (queries > HIT, "Cast my ballot" in html, "Closed" in html) == (True, False, True)


def test_a_muted_member_s_discussion_is_rendered_every_time(group, two, thread, organizer):
    ada = two[0]
    Mute.objects.create(
        group=group, member=ada, by=organizer, until=timezone.now() + timedelta(hours=1)
    )
    client = _signed_in(ada)
    url = thread.get_absolute_url()
    assert _get(client, url)[0] > HIT
    assert _get(client, url)[0] > HIT


def test_visitors_and_waiting_messages_are_never_served_a_member_s_copy(two):
    ada = two[0]
    client = _signed_in(ada)
    _get(client, "/me/")
    assert _get(client, "/me/")[0] == HIT
    visitor = Client().get("/me/")
    assert (visitor.status_code, visitor["Location"].startswith("/accounts/login/")) == (302, True)
    # Saving shows a message on the next page: rendered for it, and not kept.
    client.post(
        reverse("members:me_notifications"),
        {**_notification_fields(client), "time_zone": ""},
    )
    response = client.get("/me/notifications/")
    assert "Your email preferences are saved." in response.content.decode()
    assert "Your email preferences are saved." not in client.get("/me/notifications/").text


def _notification_fields(client) -> dict:
    """What the notifications form holds now, as a browser would send it back."""
    form = client.get("/me/notifications/").context["notifications_form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def test_a_copy_with_a_token_hole_is_kept_once_and_served_in_every_coding(two):
    client = _signed_in(two[0])
    plain = client.get("/me/")
    key = plain.wsgi_request.page_cache.key
    stored = [
        coding
        for coding in ("br", "gzip", "identity")
        if caches["bodies"].get(f"{key}:{coding}") is not None
    ]
    assert stored == ["identity"]
    served = []
    for accept in ("br, gzip", "gzip", "identity"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/me/", headers={"accept-encoding": accept})
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        served.append(
            (len(queries), response.get("Content-Encoding"), TOKEN.sub("", body.decode()))
        )
    html = TOKEN.sub("", plain.content.decode())
    assert served == [(HIT, "gzip", html), (HIT, "gzip", html), (HIT, None, html)]
