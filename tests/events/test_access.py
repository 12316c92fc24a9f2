"""Who may see what: role × URL × method → status, for every events URL."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from events.models import EventSpeaker
from groups.models import Role
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SpeakerFactory,
    UserFactory,
    organizer_for,
)
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "organizer"]
URLS = {
    "upcoming": lambda o: "/events/",
    "past": lambda o: "/events/past/",
    "atom": lambda o: "/events/feed.atom",
    "published": lambda o: o["published"].get_absolute_url(),
    "cancelled": lambda o: o["cancelled"].get_absolute_url(),
    "ended": lambda o: o["ended"].get_absolute_url(),  # the recap
    "draft": lambda o: o["draft"].get_absolute_url(),
    "missing": lambda o: "/events/no-such-event/",
    "speaker": lambda o: o["speaker"].get_absolute_url(),
    "series": lambda o: o["series"].get_absolute_url(),
    "sitemap": lambda o: "/sitemap.xml",
    "series_calendar": lambda o: f"/series/{o['series'].slug}/calendar.ics",
    "embed": lambda o: "/embed/events/",
    "embed_published": lambda o: f"/embed/events/{o['published'].slug}/",
    "embed_draft": lambda o: f"/embed/events/{o['draft'].slug}/",
    "oembed_published": lambda o: (
        f"/oembed?url=http://127.0.0.1:8000/events/{o['published'].slug}/"
    ),
    "oembed_draft": lambda o: f"/oembed?url=http://127.0.0.1:8000/events/{o['draft'].slug}/",
}
# Every page is read-only: GET and HEAD answer, anything else is 405.
EXPECTED_GET = {
    ("draft", "anonymous"): 404,
    ("draft", "member"): 404,
    ("missing", "anonymous"): 404,
    ("missing", "member"): 404,
    ("missing", "organizer"): 404,
    # What other sites show is what a visitor sees, whoever asks: never a draft.
    **{(name, role): 404 for name in ("embed_draft", "oembed_draft") for role in ROLES},
}
TABLE = [
    (role, name, method, EXPECTED_GET.get((name, role), 200) if method in ("get", "head") else 405)
    for role in ROLES
    for name in URLS
    for method in ("get", "head", "post", "put", "delete")
]


def _build():
    group = GroupFactory()
    speaker = SpeakerFactory()
    published = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    EventSpeaker.objects.create(event=published, speaker=speaker)
    objects = {
        "published": published,
        "cancelled": EventFactory(status="cancelled"),
        "ended": EventFactory(starts_at=timezone.now() - timedelta(days=3)),
        "draft": EventFactory(status="draft"),
        "speaker": speaker,
        "series": SeriesFactory(group=group),
    }
    organizer = organizer_for(group)
    # Who signs in for the tables' rows: an account of no group, members of the group (the
    # host tables make host and other_host hosts in each row, as the row needs), staff
    # without the organizers' permissions, the organizer.
    people = {
        "account": UserFactory(),
        "member": MembershipFactory(group=group).user,
        "host": MembershipFactory(group=group).user,
        "other_host": MembershipFactory(group=group).user,
        "staff": UserFactory(is_staff=True),
        "organizer": organizer,
    }
    return {
        "group": group,
        "organizer": organizer,
        "objects": objects,
        "people": people,
        "sessions": _sessions(people),
    }


def _sessions(people) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys(people)


def _sign_in(client, rows, who) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = rows["sessions"][who]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The group, its organizer and the events, built once for the module's hundreds of rows
    (tests/worlds.py); each test still starts from them as built."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def rows(built, db):
    return fresh_copy(built)


@pytest.fixture
def group(rows):
    return rows["group"]


@pytest.fixture
def objects(rows):
    return rows["objects"]


@pytest.mark.parametrize(("role", "name", "method", "expected"), TABLE)
def test_events_access(client, rows, objects, role, name, method, expected):
    if role == "member":
        _sign_in(client, rows, "account")
    elif role == "organizer":
        _sign_in(client, rows, "organizer")
    response = getattr(client, method)(URLS[name](objects))
    assert response.status_code == expected


def test_draft_is_shown_by_the_organizer_role_not_by_a_django_permission(client, group, objects):
    """ "Organizer" is the membership role (groups.access.Viewer): a Django permission given by
    hand in the admin, without the role, shows no draft; the co-organizer role and a superuser
    do."""
    url = objects["draft"].get_absolute_url()
    by_hand = UserFactory(is_staff=True)
    by_hand.user_permissions.add(Permission.objects.get(codename="change_event"))
    client.force_login(by_hand)
    assert client.get(url).status_code == 404
    client.force_login(MembershipFactory(group=group, role=Role.CO_ORGANIZER).user)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(url).status_code == 200


# The host page: organizers, and hosts of that event only; login first, then the object check.
HOST_ROLES = ["anonymous", "member", "host", "other_host", "organizer"]
HOST_URLS = {
    "attendees": lambda o: f"/events/{o['published'].slug}/attendees/",
    "attendees_draft": lambda o: f"/events/{o['draft'].slug}/attendees/",
    "attendees_missing": lambda o: "/events/no-such-event/attendees/",
}
HOST_EXPECTED = {
    "anonymous": {"get": 302, "head": 302, "post": 302, "put": 302, "delete": 302},
    "member": {"get": 403, "head": 403, "post": 403, "put": 405, "delete": 405},
    "other_host": {"get": 403, "head": 403, "post": 403, "put": 405, "delete": 405},
    # An empty POST names no action: a bad request.
    "host": {"get": 200, "head": 200, "post": 400, "put": 405, "delete": 405},
    "organizer": {"get": 200, "head": 200, "post": 400, "put": 405, "delete": 405},
}


def _host_expected(role: str, name: str, method: str) -> int:
    expected = HOST_EXPECTED[role][method]
    if role == "anonymous" or method in ("put", "delete"):
        return expected
    if name in ("attendees_missing", "attendees_draft"):
        return 404  # nobody answers a draft (and only organizers see one)
    return expected


HOST_TABLE = [
    (role, name, method, _host_expected(role, name, method))
    for role in HOST_ROLES
    for name in HOST_URLS
    for method in ("get", "head", "post", "put", "delete")
]


@pytest.mark.parametrize(("role", "name", "method", "expected"), HOST_TABLE)
def test_host_page_access(client, rows, objects, role, name, method, expected):
    if role != "anonymous":
        user = rows["people"][role]
        _sign_in(client, rows, role)
        if role == "host":
            objects["published"].hosts.add(user)
        elif role == "other_host":
            objects["cancelled"].hosts.add(user)
    response = getattr(client, method)(HOST_URLS[name](objects))
    assert response.status_code == expected


# The event's "Publish…", "Cancel the event…" and "Preview" pages in the admin: the group's
# organizers only (the admin's permissions follow the role); a signed-in member is sent to the
# admin's login like a visitor, staff without the organizers' permissions are refused.
ADMIN_ROLES = ["anonymous", "member", "staff", "organizer"]
ADMIN_URLS = {
    "publish": lambda o: f"/admin/events/event/{o['draft'].pk}/publish/",
    "cancel": lambda o: f"/admin/events/event/{o['published'].pk}/cancel/",
    "publish_published": lambda o: f"/admin/events/event/{o['published'].pk}/publish/",
    "cancel_draft": lambda o: f"/admin/events/event/{o['draft'].pk}/cancel/",
    "publish_missing": lambda o: "/admin/events/event/999999/publish/",
    # The member's view of the event's page, for organizers only (GET alone).
    "preview": lambda o: f"/admin/events/event/{o['draft'].pk}/preview/",
    "preview_published": lambda o: f"/admin/events/event/{o['published'].pk}/preview/",
    "preview_missing": lambda o: "/admin/events/event/999999/preview/",
}
ADMIN_ORGANIZER = {
    ("publish", "get"): 200,
    ("cancel", "get"): 200,
    ("publish", "post"): 302,  # to the event's page
    ("cancel", "post"): 302,
    ("publish_published", "get"): 302,  # back to its change page: nothing to publish
    ("publish_published", "post"): 302,
    ("cancel_draft", "get"): 302,
    ("cancel_draft", "post"): 302,
    ("publish_missing", "get"): 404,
    ("publish_missing", "post"): 404,
    ("preview", "get"): 200,
    ("preview", "post"): 405,
    ("preview_published", "get"): 200,
    ("preview_published", "post"): 405,
    ("preview_missing", "get"): 404,
    ("preview_missing", "post"): 404,
}
ADMIN_TABLE = [
    (
        role,
        name,
        method,
        {"anonymous": 302, "member": 302, "staff": 403}.get(role) or ADMIN_ORGANIZER[name, method],
    )
    for role in ADMIN_ROLES
    for name in ADMIN_URLS
    for method in ("get", "post")
]


@pytest.mark.parametrize(("role", "name", "method", "expected"), ADMIN_TABLE)
def test_admin_publish_and_cancel_access(client, rows, objects, role, name, method, expected):
    if role != "anonymous":
        _sign_in(client, rows, role)
    statuses = {key: objects[key].status for key in ("draft", "published")}
    response = getattr(client, method)(ADMIN_URLS[name](objects))
    assert response.status_code == expected
    changed = {key: type(objects[key]).objects.get(pk=objects[key].pk).status for key in statuses}
    if role == "organizer" and method == "post" and name in ("publish", "cancel"):
        event = objects["draft" if name == "publish" else "published"]
        assert response.url == event.get_absolute_url()
        assert changed != statuses
    else:
        assert changed == statuses
