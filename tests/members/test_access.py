"""role × URL × method → status for every member URL; pages keep their query counts."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import MembershipStatus, Role
from groups.services import membership_ban, membership_leave
from tests.factories import GroupFactory, MembershipFactory, UserFactory, organizer_for
from tests.worlds import built_once, fresh_copy, session_keys

pytestmark = pytest.mark.django_db

# outsider: an account that never joined; former: one that joined and left; pending: one whose
# request to join waits for approval. None is a member: "members only" means a current
# membership (groups/access.py).
# banned: a member the organizers banned (their membership is gone, and joining is refused).
ROLES = [
    "anonymous",
    "outsider",
    "former",
    "pending",
    "banned",
    "member_a",
    "member_b",
    "organizer",
]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The group and its people, built once for the module's hundreds of rows
    (tests/worlds.py); each test still starts from them as built."""
    yield from built_once(django_db_blocker, _build)


@pytest.fixture(autouse=True)
def rows(built, db):
    return fresh_copy(built)


@pytest.fixture
def group(rows):
    return rows["group"]


@pytest.fixture
def people(rows):
    return rows["people"]


def _build():
    group = GroupFactory()
    people = _people(group, organizer_for(group))
    return {"group": group, "people": people, "sessions": _sessions(people)}


def _sessions(people) -> dict[str, str]:
    """Their session keys, each signed in once for the module (tests/worlds.session_keys)."""
    return session_keys({role: people[role] for role in ROLES[1:]})


def _people(group, organizer):
    a = MembershipFactory(group=group).user
    b = MembershipFactory(group=group).user
    organizer.profile_visibility = "everyone"
    organizer.save()
    private_organizer = UserFactory()
    MembershipFactory(group=group, user=private_organizer, role=Role.CO_ORGANIZER)
    former = MembershipFactory(group=group).user
    membership_leave(group=group, user=former)
    pending = MembershipFactory(group=group, status=MembershipStatus.PENDING).user
    banned = MembershipFactory(group=group).user
    membership_ban(group=group, user=banned, by=organizer)
    return {
        "banned": banned,
        "pending": pending,
        "member_a": a,
        "member_b": b,
        "organizer": organizer,
        "private": private_organizer,
        "outsider": UserFactory(),
        "former": former,
    }


def _url(name, people):
    return {
        "me": "/me/",
        "me_notifications": "/me/notifications/",
        "me_calendar": "/me/calendar/",
        "me_security": "/me/security/",
        "me_data": "/me/data/",
        "export": "/me/export/",
        "delete": "/me/delete/",
        "rotate": "/me/calendar/rotate/",
        "directory": "/members/",
        "profile_a": f"/members/{people['member_a'].pk}/",
        "profile_public_organizer": f"/members/{people['organizer'].pk}/",
        "profile_private_organizer": f"/members/{people['private'].pk}/",
        "profile_banned": f"/members/{people['banned'].pk}/",
        "profile_missing": "/members/999999/",
        "privacy": "/privacy/",
        "join": "/join/",
        "leave": "/leave/",
        # create_organizer's one-time link: the key is the credential, whoever opens it.
        "organizer_link": _organizer_link(people["member_a"]),
        "organizer_link_wrong_key": _organizer_link(people["member_a"], key="not-the-key"),
    }[name]


def _organizer_link(user, key=None) -> str:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    key = key or default_token_generator.make_token(user)
    return f"/organizer-link/{user_pk_to_url_str(user)}/{key}/"


LOGIN = 302
ALL = dict.fromkeys
ACCESS = {
    ("me", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    # Opening it shows the form and spends nothing (groups.views.organizer_link).
    ("organizer_link", "get"): ALL(ROLES, 200),
    ("organizer_link", "put"): ALL(ROLES, 405),
    ("organizer_link_wrong_key", "get"): ALL(ROLES, 410),
    ("organizer_link_wrong_key", "post"): ALL(ROLES, 410),
    ("me", "put"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    # /me/'s sections: each shows the signed-in person's own (test_me_sections_show_only_own).
    ("me_notifications", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    # An empty form turns every email off; an organizer must also choose how alerts come.
    ("me_notifications", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 302), "organizer": 400},
    ("me_notifications", "put"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("me_calendar", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    ("me_calendar", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("me_security", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    ("me_security", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("me_data", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    ("me_data", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("export", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("export", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    ("delete", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
    ("delete", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 400)},
    ("rotate", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("directory", "get"): {
        "anonymous": LOGIN,
        "outsider": 403,
        "former": 403,
        "pending": 403,
        "banned": 403,
        "member_a": 200,
        "member_b": 200,
        "organizer": 200,
    },
    ("directory", "post"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("profile_a", "get"): {
        "anonymous": 404,
        "outsider": 404,
        "former": 404,
        "pending": 404,
        "banned": 404,
        "member_a": 200,
        "member_b": 200,
        "organizer": 200,
    },
    ("profile_a", "post"): ALL(ROLES, 405),
    ("profile_public_organizer", "get"): ALL(ROLES, 200),
    ("profile_private_organizer", "get"): {
        "anonymous": 404,
        "outsider": 404,
        "former": 404,
        "pending": 404,
        "banned": 404,
        "member_a": 200,
        "member_b": 200,
        "organizer": 200,
    },
    # A banned member's profile is gone with their membership, for everyone.
    ("profile_banned", "get"): ALL(ROLES, 404),
    ("profile_missing", "get"): ALL(ROLES, 404),
    ("privacy", "get"): ALL(ROLES, 200),
    ("privacy", "post"): ALL(ROLES, 405),
    # The join page: the questions for non-members, "waiting" for a pending request, home
    # for members.
    ("join", "get"): {
        "anonymous": LOGIN,
        "outsider": 200,
        "former": 200,
        "pending": 200,
        "member_a": 302,
        "member_b": 302,
        "organizer": 302,
    },
    ("join", "put"): {"anonymous": LOGIN, **ALL(ROLES[1:], 405)},
    ("leave", "get"): {"anonymous": LOGIN, **ALL(ROLES[1:], 200)},
}
TABLE = [
    (url, method, role, code) for (url, method), row in ACCESS.items() for role, code in row.items()
]


@pytest.mark.parametrize(("url", "method", "role", "expected"), TABLE)
def test_member_access(client, rows, people, url, method, role, expected):
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = rows["sessions"][role]
    # delete without the password is refused (400) and changes nothing
    response = getattr(client, method)(_url(url, people))
    assert response.status_code == expected
    if expected == LOGIN and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_member_b_cannot_export_or_delete_member_a(client, people):
    """There is no URL that names another member's data: export and delete act on yourself."""
    import io
    import json
    import zipfile

    client.force_login(people["member_b"])
    archive = zipfile.ZipFile(io.BytesIO(client.post("/me/export/").content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == people["member_b"].email
    assert people["member_a"].email not in archive.read("data.json").decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


ME_SECTIONS = ["/me/", "/me/notifications/", "/me/calendar/", "/me/security/", "/me/data/"]


def test_pages_queries_do_not_grow(client, group, people):
    client.force_login(people["member_a"])
    pages = ["/members/", f"/members/{people['member_b'].pk}/", *ME_SECTIONS, "/privacy/"]
    small = [_count(client, url) for url in pages]
    for _ in range(40):
        MembershipFactory(group=group)
    large = [_count(client, url) for url in pages]
    # session, user, group, then: the viewer's membership + count + page; the viewer's
    # membership + the profile's membership + went + photos; /me/'s sections: nothing more
    # for the profile and the calendar, the viewer's membership for the emails (organizers
    # have one more) and for the data page (leaving the group), that membership + the
    # authenticators for security (twice: for the version of the page kept per person,
    # home/personal.py, and for the page); /privacy/: whether the group federates
    # (federation.privacy).
    assert small == large == [6, 7, 3, 4, 3, 6, 4, 4]


def test_me_sections_show_only_own(client, people):
    """No /me/ URL names a person: every section is the signed-in member's own."""
    a, b = people["member_a"], people["member_b"]
    a.display_name, b.display_name = "Alpha Own", "Bravo Own"
    a.save()
    b.save()
    client.force_login(b)
    for url in ME_SECTIONS:
        html = client.get(url).content.decode()
        assert [s for s in (a.email, "Alpha Own", a.calendar_token) if s in html] == [], url
    assert b.email in client.get("/me/security/").content.decode()
    assert "Bravo Own" in client.get("/me/").content.decode()
    assert b.calendar_token in client.get("/me/calendar/").content.decode()


def test_directory_search_survives_pagination(client, group, people):
    for i in range(35):
        MembershipFactory(group=group, user=UserFactory(display_name=f"Ada {i:02d}"))
    client.force_login(people["member_a"])
    first = client.get("/members/?q=ada")
    assert 'href="?q=ada&amp;page=2"' in first.content.decode()
    second = client.get("/members/?q=ada&page=2")
    names = [m.user.display_name for m in second.context["memberships"]]
    assert names == [f"Ada {i:02d}" for i in range(30, 35)]
