"""No extra query per page for translation: each main page runs as many queries in Spanish as
in English, for a visitor (the `django_language` cookie) and for a signed-in member (their
own `User.language`), and that number is pinned (issue 18).

Every page is rendered cold, as the first request after a change is: the caches (the page
cache of home/pagecache.py, the counted totals) are emptied before each request. Spanish is
asked for first, so loading its catalog is inside the count. The pins are those of the pages'
own query-count tests (tests/events/, tests/conversation/, tests/decisions/, tests/members/,
tests/photos/), where they have one.

The world (one of everything the pages show) is built once for the module (tests/worlds.py),
not again for each page and reader; what a test writes (the member's language, a session) is
rolled back after it.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from conversation import services as conversation_services
from decisions import services as decisions_services
from events import services as event_services
from events.models import EventSpeaker, SpeakerRole
from groups.models import Role
from photos.models import Album
from tests.events.conftest import build_full_event
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    organizer_for,
    stored_photos,
)
from tests.worlds import built_once, fresh_copy

pytestmark = pytest.mark.django_db

OTHER = {"en": "es", "es": "en"}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world's pages and its member, built once; its photos in a folder of its own."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("bilingual") / "media"):
        yield from built_once(django_db_blocker, _world)


@pytest.fixture
def world(built):
    """page -> its URL."""
    return built["urls"]


@pytest.fixture
def member(built):
    """The world's member (not the conftest one, who would be in a group of their own)."""
    return fresh_copy(built["member"])


def _world():
    """One of everything the main pages show."""
    translation.deactivate()  # as tests/conftest.py's _main_language, not yet in force
    group = GroupFactory()
    member = MembershipFactory(group=group, role=Role.MEMBER).user
    organizer = organizer_for(group)
    now = timezone.now()
    group.about_es = "Hablamos de *cooperativas*."
    group.save()
    series = SeriesFactory(group=group, name="Co-op evenings")
    event = build_full_event(
        starts_at=now + timedelta(days=10),
        series=series,
        title="Data co-ops",
        title_es="Cooperativas de datos",
        summary_es="¿De quién son los datos?",
    )
    past = EventFactory(group=group, series=series, starts_at=now - timedelta(days=20))
    speaker = EventSpeaker.objects.filter(event=event, role=SpeakerRole.GUEST).first().speaker
    EventSpeaker.objects.create(event=past, speaker=speaker, role=SpeakerRole.GUEST, order=0)
    event_services.rsvp_set(event=event, member=member, going=True)
    album = Album.objects.create(group=group, event=past, title=past.title)
    stored_photos(album, by=organizer, count=5)
    thread = conversation_services.thread_start(
        group=group, author=member, title="Tea and cake", body="Who brings *what*?"
    )
    conversation_services.thread_reply(thread=thread, author=organizer, body="I bake.")
    decisions_services.proposal_add(group=group, author=member, kind="topic", title="Housing")
    decisions_services.poll_open(
        group=group,
        by=organizer,
        question="Where?",
        options=["Library", "Park"],
        method="single",
        opens_at=now,
        closes_at=now + timedelta(days=3),
    )
    urls = {
        "/": "/",
        "/events/": "/events/",
        "/events/past/": "/events/past/",
        "event": event.get_absolute_url(),
        "speaker": speaker.get_absolute_url(),
        "series": series.get_absolute_url(),
        "/photos/": "/photos/",
        "album": album.get_absolute_url(),
        "/calendar/": "/calendar/",
        "/privacy/": "/privacy/",
        "/members/": "/members/",
        "/me/": "/me/",
        "/me/notifications/": "/me/notifications/",
        "/me/calendar/": "/me/calendar/",
        "/me/security/": "/me/security/",
        "/me/data/": "/me/data/",
        "/discussions/": reverse("conversation:board"),
        "thread": thread.get_absolute_url(),
        "/proposals/": reverse("decisions:proposals"),
        "/polls/": reverse("decisions:polls"),
        "/log/": reverse("decisions:log"),
    }
    return {"urls": urls, "member": member}


def _cold_get(client, url, language):
    """The page rendered anew, every cache emptied first: (queries, response). The browser
    asks for the other language than the one chosen, which must not matter."""
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"accept-language": OTHER[language]})
    return len(captured), response


def _lang(response) -> str | None:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    return match[1] if match else None


# A signed-in member's request adds the session and the user (2) to a visitor's; the group
# with its change generation is read on every request.
PINNED = {
    # group (with the generation), organizers, resource links, social links, counts, next,
    # recent past, speakers; a member: session, user, the membership role.
    "/": {"visitor": 8, "member": 11},
    # group, count, the page, guest speakers; a member: session, user.
    "/events/": {"visitor": 4, "member": 6},
    "/events/past/": {"visitor": 4, "member": 6},
    # group, the event (venue, series), speakers, agenda, breakouts, hosts, RSVP stats; a
    # member: as tests/conversation/test_query_counts.py EVENT_PAGE says (session, user, the
    # version row, attendees, mute check, the proposal, the comments, the replies from the
    # fediverse).
    "event": {"visitor": 7, "member": 16},
    # group, speaker, links, appearances.
    "speaker": {"visitor": 4, "member": 6},
    # group, series, two lists and their speakers; a member: session, user, and their
    # membership with whether they follow the series (one query).
    "series": {"visitor": 6, "member": 9},
    # group, count, the page with events, covers and counts.
    "/photos/": {"visitor": 3, "member": 5},
    # group, album, count, the page of photos; a member also: session, user, whether they
    # may upload (the album's group again, their membership role, whether they went), their
    # own uploads not stored yet.
    "album": {"visitor": 4, "member": 10},
    # the group; a member: session, user.
    "/calendar/": {"visitor": 1, "member": 3},
    # the group, whether it federates (federation.privacy); a member: session, user.
    "/privacy/": {"visitor": 2, "member": 4},
    # Members' pages: a visitor is sent to log in (the group, read by every request).
    # The directory: session, user, group, the viewer's membership role, count, the page.
    "/members/": {"visitor": 1, "member": 6},
    # /me/'s sections: session, user, group; the emails and the data page also read the
    # membership role; sign-in and security the role and the authenticators (twice: once for
    # the version of the page kept for the person, home/personal.py, once for the page).
    "/me/": {"visitor": 1, "member": 3},
    "/me/notifications/": {"visitor": 1, "member": 4},
    "/me/calendar/": {"visitor": 1, "member": 3},
    "/me/security/": {"visitor": 1, "member": 6},
    "/me/data/": {"visitor": 1, "member": 4},
    # tests/conversation/test_query_counts.py BOARD and THREAD_PAGE.
    "/discussions/": {"visitor": 1, "member": 9},
    "thread": {"visitor": 1, "member": 9},
    # tests/decisions/test_query_counts.py PROPOSALS, POLLS, LOG.
    "/proposals/": {"visitor": 1, "member": 6},
    "/polls/": {"visitor": 1, "member": 7},
    "/log/": {"visitor": 1, "member": 6},
}
# Pages that show the upcoming event's title, in each reader's language (modeltranslation).
TITLE = {"en": "Data co-ops", "es": "Cooperativas de datos"}
SHOW_TITLE = {"/", "/events/", "event", "speaker", "series"}
# Pages only members see: a visitor is sent to log in.
MEMBERS_ONLY = {
    *("/members/", "/me/", "/me/notifications/", "/me/calendar/", "/me/security/", "/me/data/"),
    *("/discussions/", "thread", "/proposals/", "/polls/", "/log/"),
}


# Time written Django's default way, which no page may show (issue 26): "5:51 p.m.",
# "6:30 p. m.", "a. m.", "Dec. 6", "6 de diciembre de 2026", and a badge's "/ Ene".
DJANGO_TIME = re.compile(
    r"\b[ap]\.\s?m\.|\b(?:Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\. \d|\d de [a-z]+ de \d{4}"
    r"|/\s*(?:Ene|Feb|Mar|Abr|May|Jun|Jul|Ago|Sep|Oct|Nov|Dic)\b"
)
BADGE_MONTH = re.compile(r'<span class="month">([^<]*)</span>')
MONTHS = {
    "en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
    "es": {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"},
}


def _time_problems(html: str, language: str) -> list[str]:
    """Times on the page written another way than events.timefmt writes them."""
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    found = [match[0] for match in DJANGO_TIME.finditer(text)]
    return found + [m for m in BADGE_MONTH.findall(html) if m not in MONTHS[language]]


def _choose(client, who, member, language):
    """A visitor's footer switch (the cookie), or a member's own choice on /me/."""
    if who == "visitor":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    else:
        get_user_model().objects.filter(pk=member.pk).update(language=language)


@pytest.mark.parametrize("who", ["visitor", "member"])
@pytest.mark.parametrize("page", PINNED)
def test_same_query_count_in_spanish_and_english(world, member, page, who):
    client = Client()
    if who == "member":
        client.force_login(member)
    counts, pages = {}, {}
    for language in ("es", "en"):
        _choose(client, who, member, language)
        counts[language], response = _cold_get(client, world[page], language)
        pages[language] = (response.status_code, _lang(response))
        assert _time_problems(response.text, language) == []
        if page in SHOW_TITLE:
            assert TITLE[language] in response.text
            assert TITLE[OTHER[language]] not in response.text
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    pin = PINNED[page][who]
    assert counts == {"es": pin, "en": pin}
    if who == "visitor" and page in MEMBERS_ONLY:
        assert pages == {"es": (302, None), "en": (302, None)}
    else:
        assert pages == {"es": (200, "es"), "en": (200, "en")}


def test_every_page_asked_for_is_pinned(world):
    assert set(world) == set(PINNED)
